#include "optimizer.h"

#include <cmath>

namespace spo {

float SumOfSquares(const float* __restrict g, int64_t n, float scale) {
  float total = 0;
  for (int64_t i = 0; i < n; i++) {
    const float x = g[i] * scale;
    total += x * x;
  }
  return total;
}

void ScaleTwice(const float* __restrict g, float* __restrict out, int64_t n, float a, float b) {
  for (int64_t i = 0; i < n; i++) out[i] = (g[i] * a) * b;
}

void AdamWStep(const float* __restrict p, const float* __restrict g, const float* __restrict m,
               const float* __restrict v, float* __restrict pOut, float* __restrict mOut, float* __restrict vOut,
               int64_t n, const AdamWScalars& s, bool decay) {
  for (int64_t i = 0; i < n; i++) {
    const float m2 = m[i] * s.beta1 + g[i] * s.oneMinusBeta1;
    const float v2 = v[i] * s.beta2 + (g[i] * g[i]) * s.oneMinusBeta2;
    float update = (m2 / s.correction1) / (std::sqrt(v2 / s.correction2) + s.eps);
    if (decay) update = update + p[i] * s.weightDecay;
    mOut[i] = m2;
    vOut[i] = v2;
    pOut[i] = p[i] - update * s.lr;
  }
}

}  // namespace spo
