// WPO, Zhou et al. 2024, "WPO: Enhancing RLHF with Weighted Preference Optimization", Eq. 2: each pair's
// loss is weighted by how likely the current policy is to have sampled its responses, per token and
// aligned to the policy's own sampling (log Σ_v π(v)² is the log-prob of a token the policy itself draws):
//   w(x, y) = exp( (1/|y|) Σ_t [ log π(y_t|x, y_<t) − log Σ_v π(v|x, y_<t)² ] )
//   weight(x, y_w, y_l) = min(1, w(x, y_w) · w(x, y_l)),  a constant to the gradient (clamped at 1 as TRL does).
import { tf, stopGradient } from '@spo/engine';

/** Pair weights from each response's mean sampling-aligned log-prob (SequenceLogProbs.alignedMean) [B]. */
export function wpoWeights(chosenAligned: tf.Tensor1D, rejectedAligned: tf.Tensor1D): tf.Tensor1D {
  return stopGradient(tf.minimum(tf.exp(tf.add(chosenAligned, rejectedAligned)), 1)) as tf.Tensor1D;
}
