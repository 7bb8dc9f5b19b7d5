// ORPO, Hong et al. 2024, "ORPO: Monolithic Preference Optimization without Reference Model", Eqs. 6–7:
//   L = L_SFT − λ log σ( log odds(y_w) − log odds(y_l) ),  odds(y) = P(y) / (1 − P(y)),  P(y) = exp ℓ̄(y)
// with ℓ̄ the length-averaged log-likelihood, so log odds = ℓ̄ − log(1 − exp ℓ̄). L_SFT is the chosen
// responses' NLL, by default per token over the batch as TRL's ORPOTrainer computes it (`nllMean`).
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { averagePolicyLogProbs } from './log-ratios.js';
import { chosenNll, nllMean } from './sft-term.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const OrpoParamsSchema = z
  .object({
    /** λ: weight of the odds-ratio term (TRL calls it beta). */
    lambda: z.number().positive().default(0.1),
    /** The NLL term's mean: "token" over every chosen token of the batch (TRL), or "sequence" (per pair). */
    nllMean: nllMean(),
  })
  .strict();
export type OrpoParams = z.infer<typeof OrpoParamsSchema>;

/** log(p / (1 − p)) for p = exp(ℓ), ℓ < 0, computed as ℓ − log(−expm1(ℓ)) to stay exact near 0. */
function logOdds(avgLogProb: tf.Tensor1D): tf.Tensor1D {
  return tf.sub(avgLogProb, tf.log(tf.neg(tf.expm1(avgLogProb)))) as tf.Tensor1D;
}

export function orpoLoss(lp: PairLogProbs, { lambda, nllMean }: OrpoParams): PairLossOutput {
  const avg = averagePolicyLogProbs(lp);
  const oddsRatio = logSigmoid(tf.sub(logOdds(avg.chosen), logOdds(avg.rejected)));
  const losses = tf.sub(chosenNll(lp, nllMean), tf.mul(oddsRatio, lambda)) as tf.Tensor1D;
  return {
    losses,
    chosenRewards: tf.mul(avg.chosen, lambda) as tf.Tensor1D,
    rejectedRewards: tf.mul(avg.rejected, lambda) as tf.Tensor1D,
  };
}
