// The quantities most losses share: policy/reference log-ratios of each response and their difference.
import { tf } from '@spo/engine';
import { divergenceReward, type DivergenceParams } from './divergence.js';
import type { PairLogProbs } from './types.js';

export interface LogRatios {
  /** log π(y_w|x) − log π_ref(y_w|x) [B] */
  chosen: tf.Tensor1D;
  /** log π(y_l|x) − log π_ref(y_l|x) [B] */
  rejected: tf.Tensor1D;
  /** chosen − rejected: the DPO logit before β [B] */
  margin: tf.Tensor1D;
}

/**
 * Summed log-ratios, or length-averaged ones (per-token) with `perToken`, each as the reward its
 * f-divergence makes of it (divergence.ts; absent: the log-ratio itself, reverse KL).
 */
export function logRatios(lp: PairLogProbs, o: { perToken?: boolean } & DivergenceParams = {}): LogRatios {
  const norm = (x: tf.Tensor1D, len: tf.Tensor1D) =>
    divergenceReward(o.perToken ? (tf.div(x, len) as tf.Tensor1D) : x, o);
  const chosen = norm(tf.sub(lp.policyChosen, lp.referenceChosen) as tf.Tensor1D, lp.chosenLengths);
  const rejected = norm(tf.sub(lp.policyRejected, lp.referenceRejected) as tf.Tensor1D, lp.rejectedLengths);
  return { chosen, rejected, margin: tf.sub(chosen, rejected) as tf.Tensor1D };
}

/** Length-averaged policy log-probs ℓ̄(y) = log π(y|x) / |y| of both responses (reference-free losses). */
export function averagePolicyLogProbs(lp: PairLogProbs): { chosen: tf.Tensor1D; rejected: tf.Tensor1D } {
  return {
    chosen: tf.div(lp.policyChosen, lp.chosenLengths) as tf.Tensor1D,
    rejected: tf.div(lp.policyRejected, lp.rejectedLengths) as tf.Tensor1D,
  };
}
