// EXO, Ji et al. 2024, "Towards Efficient Exact Optimization of Language Model Alignment", Eq. 12,
// pairwise form with label smoothing ε (TRL's "exo_pair"), with h = β · (DPO logit):
//   L = σ(h) [log σ(h) − log(1 − ε)] + σ(−h) [log σ(−h) − log ε]
// i.e. KL( the policy's pairwise preference ‖ the smoothed label ), the reverse KL that DPO's forward KL replaces.
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const ExoParamsSchema = withDivergence({
  beta: beta(0.1),
  /** ε: label smoothing; log ε appears in the loss, so it must be above 0. */
  epsilon: z
    .number()
    .gt(0, 'must be above 0: ' + 'EXO takes log ε (try 1e-3)')
    .lt(0.5, 'must be below 0.5')
    .default(1e-3),
});
export type ExoParams = z.infer<typeof ExoParamsSchema>;

export function exoLoss(lp: PairLogProbs, { beta, epsilon, ...divergence }: ExoParams): PairLossOutput {
  const h = tf.mul(logRatios(lp, divergence).margin, beta);
  const agree = tf.mul(tf.sigmoid(h), tf.sub(logSigmoid(h), Math.log(1 - epsilon)));
  const disagree = tf.mul(tf.sigmoid(tf.neg(h)), tf.sub(logSigmoid(tf.neg(h)), Math.log(epsilon)));
  return { losses: tf.add(agree, disagree) as tf.Tensor1D, ...implicitRewards(lp, beta, divergence) };
}
