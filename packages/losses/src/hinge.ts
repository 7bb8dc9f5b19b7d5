// Hinge / SLiC, Zhao et al. 2023, "SLiC-HF: Sequence Likelihood Calibration with Human Feedback",
// Eq. 1's calibration term on the policy/reference log-ratio margin (TRL's "hinge"):
//   L = max(0, 1 − β [ (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l)) ])
import { tf } from '@spo/engine';
import { type z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

/** `beta` is 1/δ for SLiC's margin δ. */
export const HingeParamsSchema = withDivergence({ beta: beta(0.1) });
export type HingeParams = z.infer<typeof HingeParamsSchema>;

export function hingeLoss(lp: PairLogProbs, { beta, ...divergence }: HingeParams): PairLossOutput {
  const losses = tf.relu(tf.sub(1, tf.mul(logRatios(lp, divergence).margin, beta))) as tf.Tensor1D;
  return { losses, ...implicitRewards(lp, beta, divergence) };
}
