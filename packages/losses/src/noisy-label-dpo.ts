// DPO under label noise ε (the share of pairs assumed flipped), with h = β · (DPO logit):
// cDPO, Mitchell 2023, "A note on DPO with noisy preferences" (conservative DPO, Eq. 3):
//   L = −(1 − ε) log σ(h) − ε log σ(−h)
// Robust DPO, Chowdhury et al. 2024, "Provably Robust DPO", Eq. 8 (unbiased under flip rate ε):
//   L = [ −(1 − ε) log σ(h) + ε log σ(−h) ] / (1 − 2ε)
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

const epsilon = z.number().min(0).lt(0.5, 'must be below 0.5: at ε = 0.5 the labels carry no preference').default(0.1);

export const CdpoParamsSchema = withDivergence({ beta: beta(0.1), epsilon });
export type CdpoParams = z.infer<typeof CdpoParamsSchema>;

export function cdpoLoss(lp: PairLogProbs, { beta, epsilon, ...divergence }: CdpoParams): PairLossOutput {
  const h = tf.mul(logRatios(lp, divergence).margin, beta);
  const losses = tf.neg(
    tf.add(tf.mul(logSigmoid(h), 1 - epsilon), tf.mul(logSigmoid(tf.neg(h)), epsilon)),
  ) as tf.Tensor1D;
  return { losses, ...implicitRewards(lp, beta, divergence) };
}

export const RobustDpoParamsSchema = withDivergence({ beta: beta(0.1), epsilon });
export type RobustDpoParams = z.infer<typeof RobustDpoParamsSchema>;

export function robustDpoLoss(lp: PairLogProbs, { beta, epsilon, ...divergence }: RobustDpoParams): PairLossOutput {
  const h = tf.mul(logRatios(lp, divergence).margin, beta);
  const numerator = tf.add(tf.mul(tf.neg(logSigmoid(h)), 1 - epsilon), tf.mul(logSigmoid(tf.neg(h)), epsilon));
  return { losses: tf.div(numerator, 1 - 2 * epsilon) as tf.Tensor1D, ...implicitRewards(lp, beta, divergence) };
}
