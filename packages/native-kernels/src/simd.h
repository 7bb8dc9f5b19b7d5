// Vectors of W float32 lanes by the compiler's vector extensions (GCC and Clang), for loops whose lanes
// must round exactly as the scalar code does: each operation is the scalar operation lane by lane
// (IEEE add, multiply, divide, conversions; with -ffp-contract=off, never fused), so a vector loop
// and its scalar tail give the same bits. elementwise-impl.h instantiates them at 4 lanes (any x86-64,
// ARM) and at 8 (AVX2, chosen at run time).
#pragma once
#include <cstdint>
#include <cstring>

#include "exp.h"

namespace spo {
// an unnamed namespace: each translation unit compiles its own copy for its instruction set
namespace {

typedef float Float4 __attribute__((vector_size(16)));
typedef int32_t Int4 __attribute__((vector_size(16)));
typedef float Float8 __attribute__((vector_size(32)));
typedef int32_t Int8 __attribute__((vector_size(32)));

// F: W float lanes, I: W int32 lanes
template <class Fv, class Iv, int W>
struct LanesOf {
  typedef Fv F;
  typedef Iv I;

  static F Load(const float* p) {
    F v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void Store(float* p, F v) { std::memcpy(p, &v, sizeof v); }
  static F Splat(float x) {
    F v;
    for (int i = 0; i < W; i++) v[i] = x;
    return v;
  }
  // mask (all ones or all zeros per lane, as a comparison gives) ? a : b
  static F Select(I mask, F a, F b) { return (F)(((I)a & mask) | ((I)b & ~mask)); }

  // Exp (exp.h) on every lane: the same operations in the same order, so the same bits as the scalar
  // Exp for every float32 input (checked exhaustively, NaNs included).
  static F Exp(F x) {
    const I below = x < Splat(-87.3f);
    const F clamped = Select(below, Splat(-87.3f), Select(x > Splat(88.7f), Splat(88.7f), x));
    const F scaled = clamped * 1.44269504088896341f;
    const F half = (F)(((I)scaled & (int32_t)0x80000000) | (I)Splat(0.5f));  // copysign(0.5, scaled)
    const I n = __builtin_convertvector(scaled + half, I);
    const F y = ExpReduced(clamped, __builtin_convertvector(n, F));
    const F pow2 = (F)((n + 127) << 23);
    return Select(below, Splat(0.0f), y * pow2);
  }
};

template <int W>
struct Lanes;
template <>
struct Lanes<4> : LanesOf<Float4, Int4, 4> {};
template <>
struct Lanes<8> : LanesOf<Float8, Int8, 8> {};

}  // namespace
}  // namespace spo
