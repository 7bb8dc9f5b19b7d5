// e^x in float32 by the same arithmetic on every machine and compiler (libm's expf differs between
// versions and picks code by the processor): x = n·ln2 + r with n = round(x·log2 e), e^r by Cephes's
// degree-6 polynomial (about 1 ulp), times 2^n built from n's bits. Branch-free, so elementwise loops
// over it vectorise; with -ffp-contract=off the vector and scalar paths round alike. 0 below −87.3
// (where e^x leaves float32's normal range), as a masked score's weight must be.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace spo {

// static: each translation unit compiles its own copy for its instruction set (elementwise-avx2.cc)
static inline float Exp(float x) {
  const float clamped = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float scaled = clamped * 1.44269504088896341f;
  // round half away from zero; copysign rather than a branch, which GCC vectorised by computing the
  // whole polynomial twice (the same n for every float32 input, −0 and NaN included: checked exhaustively)
  const int32_t n = static_cast<int32_t>(scaled + std::copysign(0.5f, scaled));
  const float fn = static_cast<float>(n);
  float r = clamped - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float pow2;
  std::memcpy(&pow2, &bits, sizeof pow2);
  return x < -87.3f ? 0.0f : y * pow2;
}

}  // namespace spo
