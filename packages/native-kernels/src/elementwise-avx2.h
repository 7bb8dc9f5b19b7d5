// elementwise.h's kernels compiled for AVX2 (elementwise-avx2.cc); only x86-64 builds have them.
#pragma once
#include <cstdint>

namespace spo {
namespace avx2 {

void Norm(const float* x, const float* gain, const float* bias, float* y, float* normed, float* rstd, int64_t rows,
          int64_t d, double eps, bool centred);
void NormGrad(const float* dy, const float* normed, const float* rstd, const float* gain, float* dx, float* dgain,
              float* dbias, int64_t rows, int64_t d, bool centred);
void Gelu(const float* x, float* y, int64_t n);
void GeluGrad(const float* x, const float* dy, float* dx, int64_t n);
void BiasGelu(float* hidden, const float* bias, float* activated, int64_t rows, int64_t cols);
void Swiglu(const float* gate, const float* up, float* y, int64_t n);
void SwigluGrad(const float* gate, const float* up, const float* dy, float* dgate, float* dup, int64_t n);
void MaskedSoftmax(const float* s, const float* mask, float* y, int64_t outer, int64_t heads, int64_t inner,
                   int64_t width, float scale, int64_t maskOuter);
void SoftmaxGrad(const float* y, const float* dy, float* ds, int64_t rows, int64_t width, double scale);
void TokenLogProbs(const float* logits, const int32_t* targets, float* out, float* lse, int64_t rows, int64_t vocab);
void TokenLogProbsGrad(const float* logits, const int32_t* targets, const float* lse, const float* dy, float* dlogits,
                       int64_t rows, int64_t vocab);

}  // namespace avx2
}  // namespace spo
