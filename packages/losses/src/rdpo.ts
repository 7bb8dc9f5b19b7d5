// R-DPO, Park et al. 2024, "Disentangling Length from Quality in Direct Preference Optimization", Eq. 9
// (restated in SimPO's Table 3):
//   L = −log σ( β [ (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l)) ]
//               + (α|y_w| − α|y_l|) )
// The length term enters with a plus: when the chosen response is the longer one, part of the margin is
// already "explained" by length, so the policy is pushed less towards longer answers.
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const RdpoParamsSchema = z
  .object({
    beta: beta(0.1),
    /** α: weight of the length difference |y_w| − |y_l| in tokens (the paper sweeps 0.005 to 0.05). */
    alpha: z.number().nonnegative().default(0.01),
  })
  .strict();
export type RdpoParams = z.infer<typeof RdpoParamsSchema>;

export function rdpoLoss(lp: PairLogProbs, { beta, alpha }: RdpoParams): PairLossOutput {
  const lengthTerm = tf.mul(tf.sub(lp.chosenLengths, lp.rejectedLengths), alpha);
  const losses = tf.neg(logSigmoid(tf.add(tf.mul(logRatios(lp).margin, beta), lengthTerm))) as tf.Tensor1D;
  return { losses, ...implicitRewards(lp, beta) };
}
