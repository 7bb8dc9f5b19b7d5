// Matrix products for the fused block (gpt2-block.cc), by the same BLAS and the same calls as
// @spo/native-matmul makes for TensorFlow.js's matmul kernel: the BLAS library is opened at run time
// (dlopen; the engine passes the path native-matmul loaded, so both share one library and its thread
// pool), and each product is exactly the cblas_sgemm call that kernel would make for it, because a
// BLAS's rounding depends on the shapes and leading dimensions it is given.
#pragma once
#include <cstdint>
#include <string>

namespace spo {

// Open `library` and find cblas_sgemm; returns "" or why it cannot be used.
std::string UseBlas(const char* library);
bool BlasLoaded();

// For each of `batch` row-major matrices: C [m, n] = op(A) op(B), A [m, k] ([k, m] transposed), B [k, n]
// ([n, k] transposed), each batch member contiguous after the last: native-matmul.cc's Gemm.
void Gemm(int64_t batch, int64_t m, int64_t n, int64_t k, bool transposeA, bool transposeB, const float* a,
          const float* b, float* c);

// Products made and the seconds spent in them since the last reset (the bench's time split).
struct BlasStats {
  double calls, seconds;
};
BlasStats TakeBlasStats();

// Column sums of x [rows, cols] as TensorFlow.js's bias gradients take them in ops.ts (sumRows): the
// product ones [1, rows] @ x.
void SumRows(const float* x, int64_t rows, int64_t cols, float* out);

}  // namespace spo
