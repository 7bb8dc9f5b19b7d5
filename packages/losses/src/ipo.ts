// IPO, Azar et al. 2023, "A General Theoretical Paradigm to Understand Learning from Human
// Preferences", Eq. 17, on length-averaged log-ratios (as TRL computes it):
//   L = ( [ℓ̄(y_w) − ℓ̄_ref(y_w)] − [ℓ̄(y_l) − ℓ̄_ref(y_l)] − 1/(2τ) )²
import { tf } from '@spo/engine';
import { type z } from 'zod';
import { withDivergence } from './divergence.js';
import { beta } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

/** `beta` is IPO's τ (regularisation strength); the target margin is 1/(2τ). */
export const IpoParamsSchema = withDivergence({ beta: beta(0.1) });
export type IpoParams = z.infer<typeof IpoParamsSchema>;

export function ipoLoss(lp: PairLogProbs, { beta, ...divergence }: IpoParams): PairLossOutput {
  const r = logRatios(lp, { ...divergence, perToken: true });
  const losses = tf.square(tf.sub(r.margin, 1 / (2 * beta))) as tf.Tensor1D;
  return {
    losses,
    chosenRewards: tf.mul(r.chosen, beta) as tf.Tensor1D,
    rejectedRewards: tf.mul(r.rejected, beta) as tf.Tensor1D,
  };
}
