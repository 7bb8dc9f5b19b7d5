// An optimiser step's elementwise work over every parameter at once: the global gradient norm, the
// clipped gradients and AdamW's update, each as the composed TensorFlow.js ops of packages/trainer
// compute them on the wasm backend (each op one float32 rounding; tfjs-wasm's Sum and AddN add in
// order), so the numbers are theirs bit for bit.
#pragma once
#include <cstdint>

namespace spo {

// Σ over g of (g·scale)², added in order in float32 (tf.sum(tf.square(tf.mul(g, scale)))).
float SumOfSquares(const float* g, int64_t n, float scale);

// out = (g·a)·b (tf.mul(tf.mul(g, a), b)).
void ScaleTwice(const float* g, float* out, int64_t n, float a, float b);

// AdamW's constants, each rounded to float32 as a tfjs scalar is.
struct AdamWScalars {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, correction1, correction2, eps, weightDecay, lr;
};

// m' = m·β1 + g·(1 − β1); v' = v·β2 + g²·(1 − β2); u = (m' / c1) / (sqrt(v' / c2) + ε), + p·wd when
// `decay`; p' = p − u·lr.
void AdamWStep(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut, float* vOut,
               int64_t n, const AdamWScalars& s, bool decay);

}  // namespace spo
