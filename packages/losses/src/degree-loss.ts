// SPO's self-supervised degree loss (Li et al. 2024, "Self-supervised Preference Optimization",
// as read in DESIGN.md §1): a head predicts which of K degree levels a variant is, trained with
// cross-entropy  L_deg = −log softmax(z)_k  for a variant of level k with head logits z.
// The total loss is  L = L_align + λ · L_deg.
import { tf, takeAlongLastAxis } from '@spo/engine';
import { z } from 'zod';

export const SpoParamsSchema = z.object({
  /** λ: weight of the degree loss added to the alignment loss. */
  lambda: z.number().nonnegative().default(0.1),
  /** Degree head: a linear classifier over the policy's mean-pooled final hidden states. */
  head: z.enum(['linear']).default('linear'),
}).strict();
export type SpoParams = z.infer<typeof SpoParamsSchema>;

export interface DegreeLossOutput {
  /** Cross-entropy per variant [N]. */
  losses: tf.Tensor1D;
  /** 1 where the head's top level is the true level [N]. */
  correct: tf.Tensor1D;
}

/** @param logits [N, K] head outputs  @param levels [N] int32 true levels in 0..K−1 */
export function degreeLoss(logits: tf.Tensor2D, levels: tf.Tensor1D): DegreeLossOutput {
  const losses = tf.neg(takeAlongLastAxis(tf.logSoftmax(logits), levels)) as tf.Tensor1D;
  const correct = tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(levels, 'int32')), 'float32') as tf.Tensor1D;
  return { losses, correct };
}
