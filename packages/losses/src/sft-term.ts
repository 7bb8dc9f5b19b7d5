// The SFT (NLL) term any method can add with a weight w (as TRL's rpo_alpha does for DPO):
//   L = L_method + w · ( −log π(y_w|x) / |y_w| )
import { tf } from '@spo/engine';
import type { PairLogProbs } from './types.js';

/** Per-token negative log-likelihood of each chosen response [B]. */
export function chosenNll(lp: Pick<PairLogProbs, 'policyChosen' | 'chosenLengths'>): tf.Tensor1D {
  return tf.neg(tf.div(lp.policyChosen, lp.chosenLengths)) as tf.Tensor1D;
}
