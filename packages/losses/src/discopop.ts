// DiscoPOP (log-ratio modulated loss), Lu et al. 2024, "Discovering Preference Optimization Algorithms
// with and for Large Language Models", Eq. 5, with h = β · (DPO logit) and temperature τ:
//   L = (1 − σ(h/τ)) · (−log σ(h)) + σ(h/τ) · exp(−h)
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const DiscopopParamsSchema = withDivergence({
  beta: beta(0.05),
  /** τ: temperature of the sigmoid that blends the logistic and exponential losses. */
  tau: z.number().positive().default(0.05),
});
export type DiscopopParams = z.infer<typeof DiscopopParamsSchema>;

export function discopopLoss(lp: PairLogProbs, { beta, tau, ...divergence }: DiscopopParams): PairLossOutput {
  const h = tf.mul(logRatios(lp, divergence).margin, beta);
  const modulation = tf.sigmoid(tf.div(h, tau));
  const logistic = tf.neg(logSigmoid(h));
  const exponential = tf.exp(tf.neg(h));
  const losses = tf.add(tf.mul(logistic, tf.sub(1, modulation)), tf.mul(exponential, modulation)) as tf.Tensor1D;
  return { losses, ...implicitRewards(lp, beta, divergence) };
}
