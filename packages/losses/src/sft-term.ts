// The chosen response's negative log-likelihood, the NLL term of ORPO, CPO and any method's SFT weight w
// (TRL's rpo_alpha):  L = L_method + w · NLL(y_w), averaged one of two ways over a batch of B pairs:
//   "sequence"  mean over pairs of −log π(y_w|x) / |y_w|        (each response weighs the same)
//   "token"     −Σ_i log π(y_w,i|x) / Σ_i |y_w,i|               (each token weighs the same: TRL's
//               cross-entropy over every chosen token of the batch)
// Losses here return one value per pair whose batch mean is the loss, so the token mean is spread as
// −log π(y_w,i|x) · B / Σ_j |y_w,j|.
import { tf } from '@spo/engine';
import { z } from 'zod';
import type { PairLogProbs } from './types.js';

export const NLL_MEANS = ['token', 'sequence'] as const;
export type NllMean = (typeof NLL_MEANS)[number];
/** How ORPO's and CPO's NLL term averages over the batch; TRL's is "token". */
export const nllMean = () => z.enum(NLL_MEANS).default('token');

/** Per-pair share of the chosen responses' NLL [B]: its batch mean is the NLL term under `mean`. */
export function chosenNll(
  lp: Pick<PairLogProbs, 'policyChosen' | 'chosenLengths'>,
  mean: NllMean = 'sequence',
): tf.Tensor1D {
  if (mean === 'sequence') return tf.neg(tf.div(lp.policyChosen, lp.chosenLengths)) as tf.Tensor1D;
  const perToken = tf.div(lp.policyChosen.shape[0], tf.sum(lp.chosenLengths));
  return tf.neg(tf.mul(lp.policyChosen, perToken)) as tf.Tensor1D;
}
