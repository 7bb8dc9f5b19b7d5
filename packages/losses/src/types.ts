import type { tf } from '@spo/engine';

/**
 * Per-sequence log-probs of a batch of preference pairs. Sums are over response tokens; lengths are
 * the response token counts, so a length-averaged log-prob is sum / length. Reference-free losses
 * receive zeros for the reference terms.
 */
export interface PairLogProbs {
  /** Σ log π(y_w|x) [B] */
  policyChosen: tf.Tensor1D;
  /** Σ log π(y_l|x) [B] */
  policyRejected: tf.Tensor1D;
  /** Σ log π_ref(y_w|x) [B] */
  referenceChosen: tf.Tensor1D;
  /** Σ log π_ref(y_l|x) [B] */
  referenceRejected: tf.Tensor1D;
  /** |y_w| [B] */
  chosenLengths: tf.Tensor1D;
  /** |y_l| [B] */
  rejectedLengths: tf.Tensor1D;
  /**
   * KTO's KL baseline: Σ log π and Σ log π_ref of mismatched pairs (prompt x_i with a response
   * written for another prompt) [M]. Only losses whose spec sets `needsMismatched` receive them.
   */
  policyMismatched?: tf.Tensor1D;
  referenceMismatched?: tf.Tensor1D;
}

/** A per-example loss and the implicit rewards that TRL logs as rewards/chosen and rewards/rejected. */
export interface PairLossOutput {
  losses: tf.Tensor1D;
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
}

/** Per-sequence log-probs of ranked response lists, best first: [B, n] each. */
export interface ListLogProbs {
  policy: tf.Tensor2D;
  reference: tf.Tensor2D;
  lengths: tf.Tensor2D;
}

/** A per-list loss [B] and each response's implicit reward [B, n]. */
export interface ListLossOutput {
  losses: tf.Tensor1D;
  rewards: tf.Tensor2D;
}
