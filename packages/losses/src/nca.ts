// NCA, Chen et al. 2024, "Noise Contrastive Alignment of Language Models with Explicit Rewards",
// pairwise form (Eq. 13, as TRL's "nca_pair"), with r = β (log π − log π_ref):
//   L = −log σ(r(y_w)) − ½ log σ(−r(y_w)) − ½ log σ(−r(y_l))
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { beta, implicitRewards } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const NcaParamsSchema = z.object({ beta: beta(0.1) }).strict();
export type NcaParams = z.infer<typeof NcaParamsSchema>;

export function ncaLoss(lp: PairLogProbs, { beta }: NcaParams): PairLossOutput {
  const { chosenRewards, rejectedRewards } = implicitRewards(lp, beta);
  const losses = tf.neg(
    tf.addN([
      logSigmoid(chosenRewards),
      tf.mul(logSigmoid(tf.neg(chosenRewards)), 0.5),
      tf.mul(logSigmoid(tf.neg(rejectedRewards)), 0.5),
    ]),
  ) as tf.Tensor1D;
  return { losses, chosenRewards, rejectedRewards };
}
