// Per-sequence log-probabilities of the response tokens: the quantity every preference loss consumes.
import { tf, takeAlongLastAxis } from '@spo/engine';

export interface SequenceLogProbs {
  /** Σ_t log p(y_t | x, y_<t) over response tokens [B]. */
  sum: tf.Tensor1D;
  /** sum / number of response tokens [B] (the length-averaged log-likelihood SimPO and IPO use). */
  mean: tf.Tensor1D;
  /** Number of response tokens per row [B]. */
  count: tf.Tensor1D;
}

/**
 * Log-probs of `ids` under `logits` where `responseMask` is 1. Position t's logits predict token t+1,
 * so token 0 is never scored and the prompt and padding are excluded by the mask. `logits` may cover
 * only the last positions (CausalLM.forward's logitsFrom): they are aligned to the end of `ids`.
 * @param logits [B, T - from, V]  @param ids [B, T] int32  @param responseMask [B, T] (1 on response tokens)
 */
export function sequenceLogProbs(logits: tf.Tensor3D, ids: tf.Tensor2D, responseMask: tf.Tensor2D): SequenceLogProbs {
  const [B, T] = ids.shape;
  const [, covered, V] = logits.shape;
  const from = T - covered;
  const predicting = tf.slice(logits, [0, 0, 0], [B, covered - 1, V]);
  const targets = tf.slice(ids, [0, from + 1], [B, covered - 1]);
  const mask = tf.cast(tf.slice(responseMask, [0, from + 1], [B, covered - 1]), 'float32');
  const tokenLogProbs = takeAlongLastAxis(tf.logSoftmax(predicting), targets);
  const sum = tf.sum(tf.mul(tokenLogProbs, mask), 1) as tf.Tensor1D;
  const count = tf.sum(mask, 1) as tf.Tensor1D;
  return { sum, mean: tf.div(sum, tf.maximum(count, 1)) as tf.Tensor1D, count };
}
