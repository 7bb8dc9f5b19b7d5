// Soft Preference Optimization, Sharifnassab et al. 2024, "Soft Preference Optimization: Aligning
// Language Models to Expert Distributions", preference term: reference-free, with softmax exponent α,
// over the policy's sequence log-likelihoods ℓ(y) = log π(y|x):
//   pairwise    L = −log σ( α (ℓ(y_w) − ℓ(y_l)) )
//   best-of-n   L = −log softmax(α ℓ(y_1..y_n))_best
//   ranked list L = −Σ_k log softmax(α ℓ(y_k..y_n))_k        (Plackett-Luce over the ranking, best first)
// Under Bradley-Terry preferences its optimum is a softmax of the rewards scaled by 1/α. The paper's
// KL regulariser over the whole output distribution lives in the trainer (kl/policy_ref).
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import type { ListLogProbs, ListLossOutput, PairLogProbs, PairLossOutput } from './types.js';

export const SoftPreferenceParamsSchema = z
  .object({
    /** α: the softmax exponent; larger α gives a sharper (lower-entropy) optimum. */
    alpha: z.number().positive().default(1.0),
  })
  .strict();
export type SoftPreferenceParams = z.infer<typeof SoftPreferenceParamsSchema>;

export function softPreferenceLoss(lp: PairLogProbs, { alpha }: SoftPreferenceParams): PairLossOutput {
  const chosenRewards = tf.mul(lp.policyChosen, alpha) as tf.Tensor1D;
  const rejectedRewards = tf.mul(lp.policyRejected, alpha) as tf.Tensor1D;
  return {
    losses: tf.neg(logSigmoid(tf.sub(chosenRewards, rejectedRewards))) as tf.Tensor1D,
    chosenRewards,
    rejectedRewards,
  };
}

export function softBestOfNLoss(lp: ListLogProbs, { alpha }: SoftPreferenceParams): ListLossOutput {
  const rewards = tf.mul(lp.policy, alpha) as tf.Tensor2D;
  const best = tf.squeeze(tf.slice(tf.logSoftmax(rewards), [0, 0], [-1, 1]), [1]);
  return { losses: tf.neg(best) as tf.Tensor1D, rewards };
}

/** Σ_k log softmax(s_k..s_n)_k for scores [B, n] ordered best first: the Plackett-Luce log-likelihood of the order. */
export function plackettLuceLogLikelihood(scores: tf.Tensor2D): tf.Tensor1D {
  const n = scores.shape[1];
  // suffix[k][j] = 0 where j >= k, −1e9 where j < k: the set still to be ranked at position k
  const suffix = tf.tensor2d(
    Array.from({ length: n }, (_, k) => Array.from({ length: n }, (_, j) => (j >= k ? 0 : -1e9))),
  );
  const normalisers = tf.logSumExp(tf.add(tf.expandDims(scores, 1), suffix), -1); // [B, n]
  return tf.sum(tf.slice(tf.sub(scores, normalisers), [0, 0], [-1, n - 1]), -1) as tf.Tensor1D; // the last term is 0
}

export function softPlackettLuceLoss(lp: ListLogProbs, { alpha }: SoftPreferenceParams): ListLossOutput {
  const rewards = tf.mul(lp.policy, alpha) as tf.Tensor2D;
  return { losses: tf.neg(plackettLuceLogLikelihood(rewards)) as tf.Tensor1D, rewards };
}
