// SPPO (hard labels), Wu et al. 2024, "Self-Play Preference Optimization for Language Model Alignment",
// Eq. 4.1 with the winner's win probability set to 1 and the loser's to 0 (TRL's "sppo_hard"):
//   L = (log π(y_w)/π_ref(y_w) − 1/(2β))² + (log π(y_l)/π_ref(y_l) + 1/(2β))²
import { tf } from '@spo/engine';
import { type z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

/** `beta` is 1/η for the paper's step size η. */
export const SppoParamsSchema = withDivergence({ beta: beta(0.1) });
export type SppoParams = z.infer<typeof SppoParamsSchema>;

export function sppoHardLoss(lp: PairLogProbs, { beta, ...divergence }: SppoParams): PairLossOutput {
  const r = logRatios(lp, divergence);
  const target = 1 / (2 * beta);
  const losses = tf.add(tf.square(tf.sub(r.chosen, target)), tf.square(tf.add(r.rejected, target))) as tf.Tensor1D;
  return { losses, ...implicitRewards(lp, beta, divergence) };
}
