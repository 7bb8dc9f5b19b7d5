// AOT, Melnyk et al. 2024, "Distributional Preference Alignment of LLMs via Optimal Transport", the paired
// and unpaired objectives (Section 3, logistic loss), as TRL computes them: first-order stochastic
// dominance of the policy's reward distribution over the reference's, tested rank by rank on the batch's
// sorted samples (the 1-D optimal transport plan), with label smoothing ε as in cDPO:
//   aot:          δ_(i) = sort_i[ (log π(y_w) − log π(y_l)) ] − sort_i[ (log π_ref(y_w) − log π_ref(y_l)) ]
//   aot-unpaired: δ_(i) = sort_i[ log π(y_w) − log π_ref(y_w) ] − sort_i[ log π(y_l) − log π_ref(y_l) ]
//   L_i = −(1 − ε) log σ(β δ_(i)) − ε log σ(−β δ_(i))
// The sort couples the examples of a micro-batch: L_i is the loss of the i-th rank, not of pair i, and
// with gradient accumulation each micro-batch is sorted on its own (an update over 4 micro-batches of 8
// is four 8-sample transport problems, not one of 32), so batchSize, not the effective batch, sets the
// resolution of the quantiles. Rows of one prompt (the shared-prompt layout, SPO's variants) are scored
// in the same forward but enter the sort only through their own pair's log-probs.
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';
import { beta, implicitRewards } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const AotParamsSchema = z
  .object({
    beta: beta(0.1),
    /** ε: label smoothing, the share of pairs assumed flipped (TRL's label_smoothing). */
    epsilon: z.number().min(0).lt(0.5, 'must be below 0.5: at ε = 0.5 the labels carry no preference').default(0),
  })
  .strict();
export type AotParams = z.infer<typeof AotParamsSchema>;

/**
 * x in ascending order, differentiably: the order is read on the host and applied as a permutation
 * matrix (tf.gather's gradient needs a kernel the WASM backend lacks), so x's gradient flows back
 * to each value's own example.
 */
function sorted(x: tf.Tensor1D): tf.Tensor1D {
  const values = x.dataSync();
  const order = Array.from(values.keys()).sort((i, j) => values[i] - values[j] || i - j);
  const n = order.length;
  const permutation = new Float32Array(n * n);
  order.forEach((from, to) => (permutation[to * n + from] = 1));
  return tf.squeeze(tf.matMul(tf.tensor2d(permutation, [n, n]), tf.expandDims(x, 1)), [1]) as tf.Tensor1D;
}

function smoothedLogistic(delta: tf.Tensor1D, beta: number, epsilon: number): tf.Tensor1D {
  const h = tf.mul(delta, beta);
  return tf.neg(tf.add(tf.mul(logSigmoid(h), 1 - epsilon), tf.mul(logSigmoid(tf.neg(h)), epsilon))) as tf.Tensor1D;
}

export function aotLoss(lp: PairLogProbs, { beta, epsilon }: AotParams): PairLossOutput {
  const policy = tf.sub(lp.policyChosen, lp.policyRejected) as tf.Tensor1D;
  const reference = tf.sub(lp.referenceChosen, lp.referenceRejected) as tf.Tensor1D;
  const delta = tf.sub(sorted(policy), sorted(reference)) as tf.Tensor1D;
  return { losses: smoothedLogistic(delta, beta, epsilon), ...implicitRewards(lp, beta) };
}

export function aotUnpairedLoss(lp: PairLogProbs, { beta, epsilon }: AotParams): PairLossOutput {
  const chosen = tf.sub(lp.policyChosen, lp.referenceChosen) as tf.Tensor1D;
  const rejected = tf.sub(lp.policyRejected, lp.referenceRejected) as tf.Tensor1D;
  const delta = tf.sub(sorted(chosen), sorted(rejected)) as tf.Tensor1D;
  return { losses: smoothedLogistic(delta, beta, epsilon), ...implicitRewards(lp, beta) };
}
