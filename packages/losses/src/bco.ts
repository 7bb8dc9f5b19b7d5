// BCO, Jung et al. 2024, "Binary Classifier Optimization for Large Language Model Alignment", Eq. 7,
// pairwise form, with r = β (log π − log π_ref) and a reward shift δ held constant to the gradient:
//   L = −log σ(r(y_w) − δ) − log σ(−(r(y_l) − δ))
// `shift` says what δ is:
//   "none"  δ = 0, as TRL's current `bco_pair` computes it (TRL 1.x dropped the shift);
//   "batch" δ = the mean of r over the micro-batch's chosen and rejected responses. Earlier TRL kept a
//           running mean over every batch seen instead; a pure function of one batch cannot, so this is
//           the one-batch estimate of the same quantity.
import { tf, logSigmoid, stopGradient } from '@spo/engine';
import { z } from 'zod';
import { withDivergence, type DivergenceParams } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const BCO_SHIFTS = ['none', 'batch'] as const;

export const BcoParamsSchema = withDivergence({
  beta: beta(0.1),
  /** δ: 0 (TRL's current bco_pair) or the micro-batch mean implicit reward. */
  shift: z.enum(BCO_SHIFTS).default('none'),
});
export type BcoParams = z.infer<typeof BcoParamsSchema>;

export function bcoLoss(lp: PairLogProbs, { beta, shift, ...divergence }: BcoParams): PairLossOutput {
  const { chosenRewards, rejectedRewards } = implicitRewards(lp, beta, divergence);
  const delta =
    shift === 'none' ? tf.scalar(0) : (stopGradient(tf.mean(tf.concat([chosenRewards, rejectedRewards]))) as tf.Scalar);
  return bcoLossWithShift(lp, beta, delta, divergence);
}

/** BCO with the reward shift δ given (a constant to the gradient). */
export function bcoLossWithShift(
  lp: PairLogProbs,
  beta: number,
  delta: tf.Scalar,
  divergence: DivergenceParams = {},
): PairLossOutput {
  const { chosenRewards, rejectedRewards } = implicitRewards(lp, beta, divergence);
  const losses = tf.neg(
    tf.add(logSigmoid(tf.sub(chosenRewards, delta)), logSigmoid(tf.neg(tf.sub(rejectedRewards, delta)))),
  ) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
