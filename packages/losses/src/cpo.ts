// CPO, Xu et al. 2024, "Contrastive Preference Optimization", Eq. 6 (reference-free DPO plus NLL on y_w):
//   L = −log σ( β log π(y_w|x) − β log π(y_l|x) ) − α ℓ̄(y_w)
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { beta } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const CpoParamsSchema = z.object({
  beta: beta(0.1),
  /** α: weight of the behaviour-cloning NLL term (per token) on the chosen response. */
  alpha: z.number().nonnegative().default(1.0),
}).strict();
export type CpoParams = z.infer<typeof CpoParamsSchema>;

export function cpoLoss(lp: PairLogProbs, { beta, alpha }: CpoParams): PairLossOutput {
  const chosenRewards = tf.mul(lp.policyChosen, beta) as tf.Tensor1D;
  const rejectedRewards = tf.mul(lp.policyRejected, beta) as tf.Tensor1D;
  const nll = tf.neg(tf.div(lp.policyChosen, lp.chosenLengths));
  const losses = tf.add(tf.neg(logSigmoid(tf.sub(chosenRewards, rejectedRewards))), tf.mul(nll, alpha)) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
