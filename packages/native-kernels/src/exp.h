// e^x in float32 by the same arithmetic on every machine and compiler (libm's expf differs between
// versions and picks code by the processor): x = n·ln2 + r with n = round(x·log2 e), e^r by Cephes's
// degree-6 polynomial (about 1 ulp), times 2^n built from n's bits. 0 below −87.3 (where e^x leaves
// float32's normal range), as a masked score's weight must be. With -ffp-contract=off every operation
// rounds alone, so the scalar form here and the vector form in simd.h give the same bits.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace spo {

// an unnamed namespace and static: each translation unit compiles its own copy for its instruction set
// (elementwise-avx2.cc), so no AVX2 code can stand in for another unit's
namespace {

// e^r for the reduced argument r = x − n·ln2 (ln2 in two parts), by Cephes's polynomial; for one float
// or a vector of lanes (T{} is zero in every lane)
template <class T>
inline T ExpReduced(T clamped, T fn) {
  T r = clamped - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  T p = T{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return p * r * r + r + 1.0f;
}

}  // namespace

static inline float Exp(float x) {
  const float clamped = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float scaled = clamped * 1.44269504088896341f;
  // round half away from zero; copysign rather than a branch, which GCC vectorised by computing the
  // whole polynomial twice (the same n for every float32 input, −0 and NaN included: checked exhaustively)
  const int32_t n = static_cast<int32_t>(scaled + std::copysign(0.5f, scaled));
  const float y = ExpReduced(clamped, static_cast<float>(n));
  const int32_t bits = (n + 127) << 23;
  float pow2;
  std::memcpy(&pow2, &bits, sizeof pow2);
  return x < -87.3f ? 0.0f : y * pow2;
}

}  // namespace spo
