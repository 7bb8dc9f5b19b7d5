// The fused kernels (elementwise.h): 4-lane code any processor runs, or where the processor has AVX2
// the 8-lane build of the same code (elementwise-avx2.cc), chosen once. Both compute the same bits
// (elementwise-impl.h says why).
#include "elementwise.h"

#include <cstdlib>

#include "elementwise-avx2.h"
#include "elementwise-impl.h"

namespace spo {
namespace {

using Portable = Elementwise<4>;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// $SPO_KERNELS_PORTABLE set: the 4-lane code even where AVX2 runs (a test compares the two)
const bool kAvx2 = __builtin_cpu_supports("avx2") && std::getenv("SPO_KERNELS_PORTABLE") == nullptr;
#define SPO_DISPATCH(name, ...) (kAvx2 ? avx2::name(__VA_ARGS__) : Portable::name(__VA_ARGS__))
#else
#define SPO_DISPATCH(name, ...) Portable::name(__VA_ARGS__)
#endif

}  // namespace

void Norm(const float* x, const float* gain, const float* bias, float* y, float* normed, float* rstd, int64_t rows,
          int64_t d, double eps, bool centred) {
  SPO_DISPATCH(Norm, x, gain, bias, y, normed, rstd, rows, d, eps, centred);
}
void NormGrad(const float* dy, const float* normed, const float* rstd, const float* gain, float* dx, float* dgain,
              float* dbias, int64_t rows, int64_t d, bool centred) {
  SPO_DISPATCH(NormGrad, dy, normed, rstd, gain, dx, dgain, dbias, rows, d, centred);
}
void Gelu(const float* x, float* y, int64_t n) { SPO_DISPATCH(Gelu, x, y, n); }
void GeluGrad(const float* x, const float* dy, float* dx, int64_t n) { SPO_DISPATCH(GeluGrad, x, dy, dx, n); }
void BiasGelu(float* hidden, const float* bias, float* activated, int64_t rows, int64_t cols) {
  SPO_DISPATCH(BiasGelu, hidden, bias, activated, rows, cols);
}
void Swiglu(const float* gate, const float* up, float* y, int64_t n) { SPO_DISPATCH(Swiglu, gate, up, y, n); }
void SwigluGrad(const float* gate, const float* up, const float* dy, float* dgate, float* dup, int64_t n) {
  SPO_DISPATCH(SwigluGrad, gate, up, dy, dgate, dup, n);
}
void MaskedSoftmax(const float* s, const float* mask, float* y, int64_t outer, int64_t heads, int64_t inner,
                   int64_t width, float scale, int64_t maskOuter) {
  SPO_DISPATCH(MaskedSoftmax, s, mask, y, outer, heads, inner, width, scale, maskOuter);
}
void SoftmaxGrad(const float* y, const float* dy, float* ds, int64_t rows, int64_t width, double scale) {
  SPO_DISPATCH(SoftmaxGrad, y, dy, ds, rows, width, scale);
}
void TokenLogProbs(const float* logits, const int32_t* targets, float* out, float* lse, int64_t rows, int64_t vocab) {
  SPO_DISPATCH(TokenLogProbs, logits, targets, out, lse, rows, vocab);
}
void TokenLogProbsGrad(const float* logits, const int32_t* targets, const float* lse, const float* dy, float* dlogits,
                       int64_t rows, int64_t vocab) {
  SPO_DISPATCH(TokenLogProbsGrad, logits, targets, lse, dy, dlogits, rows, vocab);
}

}  // namespace spo
