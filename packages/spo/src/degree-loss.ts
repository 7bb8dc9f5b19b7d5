// SPO's self-supervised degree loss (Li et al. 2024, "Self-supervised Preference Optimization",
// as read in docs/architecture.md §1): the model learns to tell which of K degree levels a variant is.
//   linear head:   L_deg = −log softmax(z)_k for a variant of level k with head logits z
//   logprob-rank:  L_deg = −Σ_k log softmax(s_k..s_{K−1})_k, Plackett-Luce over the degree order
//                  (level 0 best), scored by the policy's length-averaged log-likelihood s_k = ℓ̄(variant k)
// The total loss is  L = L_align + λ · L_deg.
import { tf, takeAlongLastAxis } from '@spo/engine';
import { plackettLuceLogLikelihood } from '@spo/losses';

export interface DegreeLossOutput {
  /** Loss per variant (linear) or per group of K variants (logprob-rank). */
  losses: tf.Tensor1D;
  /** The level the model assigns to each variant [N] (int32), for accuracy and the confusion matrix. */
  predicted: tf.Tensor1D;
}

/** @param logits [N, K] head outputs  @param levels [N] int32 true levels in 0..K−1 */
export function degreeLoss(logits: tf.Tensor2D, levels: tf.Tensor1D): DegreeLossOutput {
  const losses = tf.neg(takeAlongLastAxis(tf.logSoftmax(logits), levels)) as tf.Tensor1D;
  return { losses, predicted: tf.cast(tf.argMax(logits, -1), 'int32') as tf.Tensor1D };
}

/**
 * @param scores [G, K] length-averaged log-likelihoods of each group's variants, level 0 first.
 * `predicted` [G·K] is each variant's rank within its group (0 = highest score), row-major.
 */
export function degreeRankLoss(scores: tf.Tensor2D): DegreeLossOutput {
  const losses = tf.neg(plackettLuceLogLikelihood(scores)) as tf.Tensor1D;
  // rank of s_k = number of variants in the group scored strictly higher
  const higher = tf.greater(tf.expandDims(scores, 1), tf.expandDims(scores, 2)); // [G, k, j]: s_j > s_k
  const predicted = tf.reshape(tf.sum(tf.cast(higher, 'int32'), -1), [-1]) as tf.Tensor1D;
  return { losses, predicted };
}
