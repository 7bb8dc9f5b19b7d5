// Length-normalised DPO (TRL's "sigmoid_norm"): DPO's Eq. 7 (Rafailov et al. 2023) on per-token log-ratios,
//   L = −log σ( β [ (log π(y_w) − log π_ref(y_w)) / |y_w| − (log π(y_l) − log π_ref(y_l)) / |y_l| ] )
// so a long response's summed log-ratio no longer outweighs a short one's.
import { tf, logSigmoid } from '@spo/engine';
import { withDivergence } from './divergence.js';
import { beta } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const SigmoidNormParamsSchema = withDivergence({ beta: beta(0.1) });
export type SigmoidNormParams = ReturnType<typeof SigmoidNormParamsSchema.parse>;

export function sigmoidNormLoss(lp: PairLogProbs, { beta, ...divergence }: SigmoidNormParams): PairLossOutput {
  const r = logRatios(lp, { ...divergence, perToken: true });
  return {
    losses: tf.neg(logSigmoid(tf.mul(r.margin, beta))) as tf.Tensor1D,
    chosenRewards: tf.mul(r.chosen, beta) as tf.Tensor1D,
    rejectedRewards: tf.mul(r.rejected, beta) as tf.Tensor1D,
  };
}
