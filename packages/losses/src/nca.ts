// NCA, Chen et al. 2024, "Noise Contrastive Alignment of Language Models with Explicit Rewards",
// pairwise form (Eq. 13, as TRL's "nca_pair"), with r = β (log π − log π_ref):
//   L = −log σ(r(y_w)) − ½ log σ(−r(y_w)) − ½ log σ(−r(y_l))
import { tf, logSigmoid } from '@spo/engine';
import { type z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const NcaParamsSchema = withDivergence({ beta: beta(0.1) });
export type NcaParams = z.infer<typeof NcaParamsSchema>;

export function ncaLoss(lp: PairLogProbs, { beta, ...divergence }: NcaParams): PairLossOutput {
  const { chosenRewards, rejectedRewards } = implicitRewards(lp, beta, divergence);
  const losses = tf.neg(
    tf.addN([
      logSigmoid(chosenRewards),
      tf.mul(logSigmoid(tf.neg(chosenRewards)), 0.5),
      tf.mul(logSigmoid(tf.neg(rejectedRewards)), 0.5),
    ]),
  ) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
