// The fused kernels compiled for AVX2 (8 float32 lanes), for processors that have it: elementwise.cc
// picks these at run time. The same expressions as elementwise.cc's (elementwise-impl.h), so the same
// bits: IEEE operations lane by lane, and no fused multiply-adds (AVX2 alone has none, and the build
// passes -ffp-contract=off).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#pragma GCC target("avx2")
#include "elementwise-avx2.h"
#include "elementwise-impl.h"

namespace spo {
namespace avx2 {

using K = Elementwise<8>;
void Norm(const float* x, const float* gain, const float* bias, float* y, float* normed, float* rstd, int64_t rows,
          int64_t d, double eps, bool centred) {
  K::Norm(x, gain, bias, y, normed, rstd, rows, d, eps, centred);
}
void NormGrad(const float* dy, const float* normed, const float* rstd, const float* gain, float* dx, float* dgain,
              float* dbias, int64_t rows, int64_t d, bool centred) {
  K::NormGrad(dy, normed, rstd, gain, dx, dgain, dbias, rows, d, centred);
}
void Gelu(const float* x, float* y, int64_t n) { K::Gelu(x, y, n); }
void GeluGrad(const float* x, const float* dy, float* dx, int64_t n) { K::GeluGrad(x, dy, dx, n); }
void BiasGelu(float* hidden, const float* bias, float* activated, int64_t rows, int64_t cols) {
  K::BiasGelu(hidden, bias, activated, rows, cols);
}
void Swiglu(const float* gate, const float* up, float* y, int64_t n) { K::Swiglu(gate, up, y, n); }
void SwigluGrad(const float* gate, const float* up, const float* dy, float* dgate, float* dup, int64_t n) {
  K::SwigluGrad(gate, up, dy, dgate, dup, n);
}
void MaskedSoftmax(const float* s, const float* mask, float* y, int64_t outer, int64_t heads, int64_t inner,
                   int64_t width, float scale, int64_t maskOuter) {
  K::MaskedSoftmax(s, mask, y, outer, heads, inner, width, scale, maskOuter);
}
void SoftmaxGrad(const float* y, const float* dy, float* ds, int64_t rows, int64_t width, double scale) {
  K::SoftmaxGrad(y, dy, ds, rows, width, scale);
}
void TokenLogProbs(const float* logits, const int32_t* targets, float* out, float* lse, int64_t rows, int64_t vocab) {
  K::TokenLogProbs(logits, targets, out, lse, rows, vocab);
}
void TokenLogProbsGrad(const float* logits, const int32_t* targets, const float* lse, const float* dy, float* dlogits,
                       int64_t rows, int64_t vocab) {
  K::TokenLogProbsGrad(logits, targets, lse, dy, dlogits, rows, vocab);
}

}  // namespace avx2
}  // namespace spo
#endif
