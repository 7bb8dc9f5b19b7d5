// APO, D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive Revisions", Eqs. 5–6,
// with r = β (log π − log π_ref):
//   APO-zero (winners better than the model):  L = 1 − σ(r(y_w)) + σ(r(y_l))
//   APO-down (winners worse than the model):   L = σ(r(y_w)) + 1 − σ(r(y_w) − r(y_l))
import { tf } from '@spo/engine';
import { type z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const ApoParamsSchema = withDivergence({ beta: beta(0.1) });
export type ApoParams = z.infer<typeof ApoParamsSchema>;

export function apoZeroLoss(lp: PairLogProbs, { beta, ...divergence }: ApoParams): PairLossOutput {
  const r = implicitRewards(lp, beta, divergence);
  const losses = tf.add(tf.sub(1, tf.sigmoid(r.chosenRewards)), tf.sigmoid(r.rejectedRewards)) as tf.Tensor1D;
  return { losses, ...r };
}

export function apoDownLoss(lp: PairLogProbs, { beta, ...divergence }: ApoParams): PairLossOutput {
  const r = implicitRewards(lp, beta, divergence);
  const losses = tf.add(
    tf.sigmoid(r.chosenRewards),
    tf.sub(1, tf.sigmoid(tf.sub(r.chosenRewards, r.rejectedRewards))),
  ) as tf.Tensor1D;
  return { losses, ...r };
}
