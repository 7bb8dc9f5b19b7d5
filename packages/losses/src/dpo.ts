// DPO, Rafailov et al. 2023, "Direct Preference Optimization", Eq. 7:
//   L = −log σ( β [ (log π(y_w|x) − log π_ref(y_w|x)) − (log π(y_l|x) − log π_ref(y_l|x)) ] )
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const DpoParamsSchema = z.object({
  /** Strength of the implicit KL constraint to the reference. */
  beta: z.number().positive().default(0.1),
}).strict();
export type DpoParams = z.infer<typeof DpoParamsSchema>;

export function dpoLoss(lp: PairLogProbs, { beta }: DpoParams): PairLossOutput {
  const chosenRewards = tf.mul(tf.sub(lp.policyChosen, lp.referenceChosen), beta) as tf.Tensor1D;
  const rejectedRewards = tf.mul(tf.sub(lp.policyRejected, lp.referenceRejected), beta) as tf.Tensor1D;
  const losses = tf.neg(logSigmoid(tf.sub(chosenRewards, rejectedRewards))) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
