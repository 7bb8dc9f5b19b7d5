// DPO, Rafailov et al. 2023, "Direct Preference Optimization", Eq. 7:
//   L = −log σ( β [ (log π(y_w|x) − log π_ref(y_w|x)) − (log π(y_l|x) − log π_ref(y_l|x)) ] )
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { withDivergence, type DivergenceParams } from './divergence.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

/** β: strength of the implicit KL constraint to the reference (shared by most of the family). */
export const beta = (value: number) => z.number().positive().default(value);

export const DpoParamsSchema = withDivergence({ beta: beta(0.1) });
export type DpoParams = z.infer<typeof DpoParamsSchema>;

export function dpoLoss(lp: PairLogProbs, { beta, ...divergence }: DpoParams): PairLossOutput {
  const r = logRatios(lp, divergence);
  const losses = tf.neg(logSigmoid(tf.mul(r.margin, beta))) as tf.Tensor1D;
  return {
    losses,
    chosenRewards: tf.mul(r.chosen, beta) as tf.Tensor1D,
    rejectedRewards: tf.mul(r.rejected, beta) as tf.Tensor1D,
  };
}

/** The implicit rewards β · g(log-ratio) that most reference-based losses report (g: divergence.ts). */
export function implicitRewards(
  lp: PairLogProbs,
  b: number,
  divergence: DivergenceParams = {},
): Pick<PairLossOutput, 'chosenRewards' | 'rejectedRewards'> {
  const r = logRatios(lp, divergence);
  return { chosenRewards: tf.mul(r.chosen, b) as tf.Tensor1D, rejectedRewards: tf.mul(r.rejected, b) as tf.Tensor1D };
}
