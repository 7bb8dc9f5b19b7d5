// The fused kernels compiled for AVX2 (8 float32 lanes), for processors that have it (elementwise.cc
// picks them at run time). The same expressions as the portable build (elementwise-impl.h), so the same
// bits: IEEE operations lane by lane, and no fused multiply-adds (AVX2 alone has none, and the build
// passes -ffp-contract=off). Every system header comes before the target pragma, so none of its inline
// code is compiled for AVX2 and shared with the portable build; the kernels' own code has internal
// linkage, and their scratch arrays come from elementwise.cc.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cmath>
#include <cstdint>
#include <cstring>

#include "elementwise.h"

#pragma GCC target("avx2")
#include "elementwise-impl.h"

namespace spo {

const ElementwiseKernels& Avx2Kernels() {
  static const ElementwiseKernels avx2 = KernelTable<8>();
  return avx2;
}

}  // namespace spo
#endif
