// Which build of the fused kernels runs (elementwise.h): the portable 4-lane one compiled here, or the
// 8-lane one of elementwise-avx2.cc where the processor has AVX2. Both compute the same bits
// (elementwise-impl.h says why).
#include "elementwise.h"

#include <cstdlib>
#include <vector>

#include "elementwise-impl.h"

namespace spo {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
const ElementwiseKernels& Avx2Kernels();  // elementwise-avx2.cc
#endif

const ElementwiseKernels& Elementwise() {
  static const ElementwiseKernels portable = KernelTable<4>();
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool avx2 = __builtin_cpu_supports("avx2") && std::getenv("SPO_KERNELS_PORTABLE") == nullptr;
  if (avx2) return Avx2Kernels();
#endif
  return portable;
}

float* KernelFloats(int64_t n) {
  static std::vector<float> floats;
  if (int64_t(floats.size()) < n) floats.resize(size_t(n));
  return floats.data();
}

double* KernelDoubles(int64_t n) {
  static std::vector<double> doubles;
  if (int64_t(doubles.size()) < n) doubles.resize(size_t(n));
  return doubles.data();
}

}  // namespace spo
