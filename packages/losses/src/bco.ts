// BCO, Jung et al. 2024, "Binary Classifier Optimization for Large Language Model Alignment", Eq. 7,
// pairwise form, with r = β (log π − log π_ref) and the reward shift δ:
//   L = −log σ(r(y_w) − δ) − log σ(−(r(y_l) − δ))
// δ is the mean implicit reward of the batch, held constant (TRL keeps a running mean instead).
import { tf, logSigmoid, stopGradient } from '@spo/engine';
import { z } from 'zod';
import { beta, implicitRewards } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const BcoParamsSchema = z.object({ beta: beta(0.1) }).strict();
export type BcoParams = z.infer<typeof BcoParamsSchema>;

export function bcoLoss(lp: PairLogProbs, { beta }: BcoParams): PairLossOutput {
  const { chosenRewards, rejectedRewards } = implicitRewards(lp, beta);
  return bcoLossWithShift(lp, beta, stopGradient(tf.mean(tf.concat([chosenRewards, rejectedRewards]))) as tf.Scalar);
}

/** BCO with the reward shift δ given (a constant to the gradient). */
export function bcoLossWithShift(lp: PairLogProbs, beta: number, delta: tf.Scalar): PairLossOutput {
  const { chosenRewards, rejectedRewards } = implicitRewards(lp, beta);
  const losses = tf.neg(tf.add(logSigmoid(tf.sub(chosenRewards, delta)), logSigmoid(tf.neg(tf.sub(rejectedRewards, delta))))) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
