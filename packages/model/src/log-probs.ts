// Per-sequence log-probabilities of the response tokens: the quantity every preference loss consumes,
// and two refinements of it some methods ask for (TokenExtras): the sum over a prefix of the response
// (LD-DPO's shared length) and the mean sampling-aligned log-prob (WPO's weight).
import { tf, takeAlongLastAxis, targetLogProbs, stopGradient } from '@spo/engine';

export interface SequenceLogProbs {
  /** Σ_t log p(y_t | x, y_<t) over response tokens [B]. */
  sum: tf.Tensor1D;
  /** sum / number of response tokens [B] (the length-averaged log-likelihood SimPO and IPO use). */
  mean: tf.Tensor1D;
  /** Number of response tokens per row [B]. */
  count: tf.Tensor1D;
  /** Σ log p over each row's first prefixTokens[r] response tokens [B], when asked for. */
  prefixSum?: tf.Tensor1D;
  /**
   * Mean over response tokens of log p(y_t) − log Σ_v p(v)², a constant to the gradient [B], when asked
   * for: WPO's sampling-aligned log-prob (Zhou et al. 2024, Eq. 2).
   */
  alignedMean?: tf.Tensor1D;
}

/** What a caller may ask of the response log-probs besides their sums. */
export interface TokenExtras {
  /** Per row: how many leading response tokens prefixSum covers. */
  prefixTokens?: readonly number[];
  /** Compute alignedMean. */
  sampledAlignment?: boolean;
}

/**
 * Log-probs of `ids` under `logits` where `responseMask` is 1. Position t's logits predict token t+1,
 * so token 0 is never scored and the prompt and padding are excluded by the mask. `logits` may cover
 * only the last positions (CausalLM.forward's logitsFrom): they are aligned to the end of `ids`.
 * @param logits [B, T - from, V]  @param ids [B, T] int32  @param responseMask [B, T] (1 on response tokens)
 */
export function sequenceLogProbs(
  logits: tf.Tensor3D,
  ids: tf.Tensor2D,
  responseMask: tf.Tensor2D,
  extras: TokenExtras = {},
): SequenceLogProbs {
  const [B, T] = ids.shape;
  const [, covered, V] = logits.shape;
  const from = T - covered;
  const predicting = tf.slice(logits, [0, 0, 0], [B, covered - 1, V]);
  const targets = tf.slice(ids, [0, from + 1], [B, covered - 1]);
  const mask = tf.cast(tf.slice(responseMask, [0, from + 1], [B, covered - 1]), 'float32');
  return scoreTokens(predicting, targets, mask, extras);
}

/**
 * Sums of log-softmax(predicting) at `targets` where `mask` is 1 (response tokens, in order along the
 * row), with the extras asked for. @param predicting [R, T, V] @param targets [R, T] @param mask [R, T]
 */
export function scoreTokens(
  predicting: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
  extras: TokenExtras = {},
): SequenceLogProbs {
  const { logProb: tokenLogProbs, aligned } = targetScores(predicting, targets, extras.sampledAlignment);
  const sum = tf.sum(tf.mul(tokenLogProbs, mask), 1) as tf.Tensor1D;
  const count = tf.sum(mask, 1) as tf.Tensor1D;
  const out: SequenceLogProbs = { sum, mean: tf.div(sum, tf.maximum(count, 1)) as tf.Tensor1D, count };
  if (extras.prefixTokens) {
    const [R] = mask.shape;
    if (extras.prefixTokens.length !== R)
      throw new Error(`prefixTokens has ${extras.prefixTokens.length} entries for ${R} rows`);
    // a response token is in the prefix when it is among the row's first prefixTokens[r] response tokens
    const within = tf.lessEqual(tf.cumsum(mask, 1), tf.tensor2d([...extras.prefixTokens], [R, 1]));
    out.prefixSum = tf.sum(tf.mul(tokenLogProbs, tf.mul(mask, tf.cast(within, 'float32'))), 1) as tf.Tensor1D;
  }
  if (aligned) {
    out.alignedMean = stopGradient(tf.div(tf.sum(tf.mul(aligned, mask), 1), tf.maximum(count, 1))) as tf.Tensor1D;
  }
  return out;
}

/**
 * log p of each target under `logits` [..., V] → [...], and, when `sampledAlignment`, WPO's per-token
 * term log p − log Σ_v p(v)². The full log-softmax only where that term needs it; otherwise the fused path.
 */
export function targetScores(
  logits: tf.Tensor,
  targets: tf.Tensor,
  sampledAlignment = false,
): { logProb: tf.Tensor; aligned?: tf.Tensor } {
  if (!sampledAlignment) return { logProb: targetLogProbs(logits, targets) };
  const logProbs = tf.logSoftmax(logits);
  const logProb = takeAlongLastAxis(logProbs, targets);
  return { logProb, aligned: tf.sub(logProb, tf.logSumExp(tf.mul(logProbs, 2), -1)) };
}
