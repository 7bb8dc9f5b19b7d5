// An optimiser step's elementwise work, over every parameter at once: the global norm of the mean
// gradient, the clipped gradients, and AdamW's update. Composed tfjs ops (15 kernels a parameter for
// AdamW, ~4 for the norm and clipping: ~500 launches a step for a 2-layer GPT-2), or on wasm with the
// fused kernels one native call each (fusedOptimizerOn), which rounds every operation as the composed
// ops do (optimizer-ops.test.ts): the same numbers.
import * as tf from '@tensorflow/tfjs';
import { fusedOptimizerOn, nativeSumOfSquares, runFused } from './fused-kernels.js';

/** sqrt(Σ over `grads` of Σ (g·scale)²), in float32 (the norm of the gradients averaged by `scale`). */
export function gradientNorm(grads: tf.Tensor[], scale: number): number {
  if (grads.length === 0) return 0;
  if (fusedOptimizerOn()) return Math.fround(Math.sqrt(nativeSumOfSquares(grads, scale)));
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(tf.mul(g, scale)))))).dataSync()[0]);
}

/** Each gradient times `scale`, then times `factor` (averaged, then clipped), as new tensors. */
export function scaleGradients(grads: tf.Tensor[], scale: number, factor: number): tf.Tensor[] {
  if (grads.length === 0) return [];
  if (fusedOptimizerOn())
    return runFused('SpoScaleTwice', Object.fromEntries(grads.map((g, i) => [`g${i}`, g])), { a: scale, b: factor });
  return grads.map((g) => tf.tidy(() => tf.mul(tf.mul(g, scale), factor)));
}

export interface AdamWStep {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  lr: number;
  /** 1 − β1^t and 1 − β2^t, the bias corrections of update t. */
  correction1: number;
  correction2: number;
}

export interface AdamWParameter {
  param: tf.Tensor;
  grad: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  /** Decoupled weight decay applies to it (matrices, not biases or norm gains). */
  decay: boolean;
}

/**
 * AdamW (Loshchilov & Hutter 2019) for each parameter: m' = β1·m + (1 − β1)·g, v' = β2·v + (1 − β2)·g²,
 * p' = p − lr·((m'/c1) / (sqrt(v'/c2) + ε) + wd·p), the decay only where `decay`. New tensors; the
 * caller assigns and disposes them.
 */
export function adamWUpdate(
  params: AdamWParameter[],
  s: AdamWStep,
): { param: tf.Tensor; m: tf.Tensor; v: tf.Tensor }[] {
  if (params.length === 0) return [];
  if (fusedOptimizerOn()) {
    const inputs: tf.NamedTensorMap = {};
    params.forEach((x, i) =>
      Object.assign(inputs, { [`p${i}`]: x.param, [`g${i}`]: x.grad, [`m${i}`]: x.m, [`v${i}`]: x.v }),
    );
    const out = runFused('SpoAdamW', inputs, {
      beta1: s.beta1,
      beta2: s.beta2,
      c1: s.correction1,
      c2: s.correction2,
      eps: s.eps,
      wd: s.weightDecay,
      lr: s.lr,
      decay: params.map((x) => (x.decay && s.weightDecay > 0 ? 1 : 0)),
    });
    return params.map((_, i) => ({ param: out[3 * i], m: out[3 * i + 1], v: out[3 * i + 2] }));
  }
  return params.map(({ param: p, grad: g, m, v, decay }) =>
    tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, s.beta1), tf.mul(g, 1 - s.beta1));
      const v2 = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
      let update = tf.div(tf.div(m2, s.correction1), tf.add(tf.sqrt(tf.div(v2, s.correction2)), s.eps));
      if (decay && s.weightDecay > 0) update = tf.add(update, tf.mul(p, s.weightDecay));
      return { param: tf.sub(p, tf.mul(update, s.lr)), m: m2, v: v2 };
    }),
  );
}
