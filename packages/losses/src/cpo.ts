// CPO, Xu et al. 2024, "Contrastive Preference Optimization", Eq. 6 (reference-free DPO plus NLL on y_w):
//   L = −log σ( β log π(y_w|x) − β log π(y_l|x) ) + α · NLL(y_w)
// NLL(y_w) by default per token over the batch, as TRL's CPOTrainer computes it (`nllMean`).
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { beta } from './dpo.js';
import { chosenNll, nllMean } from './sft-term.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const CpoParamsSchema = z
  .object({
    beta: beta(0.1),
    /** α: weight of the behaviour-cloning NLL term on the chosen response. */
    alpha: z.number().nonnegative().default(1.0),
    /** The NLL term's mean: "token" over every chosen token of the batch (TRL), or "sequence" (per pair). */
    nllMean: nllMean(),
  })
  .strict();
export type CpoParams = z.infer<typeof CpoParamsSchema>;

export function cpoLoss(lp: PairLogProbs, { beta, alpha, nllMean }: CpoParams): PairLossOutput {
  const chosenRewards = tf.mul(lp.policyChosen, beta) as tf.Tensor1D;
  const rejectedRewards = tf.mul(lp.policyRejected, beta) as tf.Tensor1D;
  const losses = tf.add(
    tf.neg(logSigmoid(tf.sub(chosenRewards, rejectedRewards))),
    tf.mul(chosenNll(lp, nllMean), alpha),
  ) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
