import type { tf } from '@spo/engine';

/** Per-sequence log-probs of a batch of preference pairs, under the policy and the frozen reference. */
export interface PairLogProbs {
  /** Σ log π(y_w|x) [B] */
  policyChosen: tf.Tensor1D;
  /** Σ log π(y_l|x) [B] */
  policyRejected: tf.Tensor1D;
  referenceChosen: tf.Tensor1D;
  referenceRejected: tf.Tensor1D;
}

/** A per-example loss and the implicit rewards that TRL logs as rewards/chosen and rewards/rejected. */
export interface PairLossOutput {
  losses: tf.Tensor1D;
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
}
