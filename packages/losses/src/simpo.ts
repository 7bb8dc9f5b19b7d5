// SimPO, Meng et al. 2024, "SimPO: Simple Preference Optimization with a Reference-Free Reward", Eq. 6:
//   L = −log σ( β/|y_w| · log π(y_w|x) − β/|y_l| · log π(y_l|x) − γ )
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { beta } from './dpo.js';
import { averagePolicyLogProbs } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

/** The authors' defaults: β = 2.0 and γ/β = 0.5. */
export const SimpoParamsSchema = z
  .object({
    beta: beta(2.0),
    /** γ: target reward margin. */
    gamma: z.number().nonnegative().default(1.0),
  })
  .strict();
export type SimpoParams = z.infer<typeof SimpoParamsSchema>;

export function simpoLoss(lp: PairLogProbs, { beta, gamma }: SimpoParams): PairLossOutput {
  const avg = averagePolicyLogProbs(lp);
  const chosenRewards = tf.mul(avg.chosen, beta) as tf.Tensor1D;
  const rejectedRewards = tf.mul(avg.rejected, beta) as tf.Tensor1D;
  const losses = tf.neg(logSigmoid(tf.sub(tf.sub(chosenRewards, rejectedRewards), gamma))) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
