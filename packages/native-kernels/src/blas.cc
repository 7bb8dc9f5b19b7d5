#include "blas.h"

#include <dlfcn.h>

#include <chrono>

#include <vector>

namespace spo {
namespace {

// cblas_sgemm's C ABI (row-major = 101, no transpose = 111, transpose = 112).
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
SgemmFn sgemm = nullptr;
BlasStats stats{0, 0};

}  // namespace

std::string UseBlas(const char* library) {
  void* handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return std::string("dlopen failed: ") + dlerror();
  auto found = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
  if (found == nullptr) return std::string(library) + " has no cblas_sgemm";
  sgemm = found;
  return "";
}

bool BlasLoaded() { return sgemm != nullptr; }

void Gemm(int64_t batch, int64_t m, int64_t n, int64_t k, bool transposeA, bool transposeB, const float* a,
          const float* b, float* c) {
  if (batch * m * n == 0) return;  // as native-matmul.ts skips an empty product
  const auto started = std::chrono::steady_clock::now();
  for (int64_t g = 0; g < batch; g++) {
    sgemm(kRowMajor, transposeA ? kTrans : kNoTrans, transposeB ? kTrans : kNoTrans, int(m), int(n), int(k), 1.0f,
          a + g * m * k, int(transposeA ? m : k), b + g * k * n, int(transposeB ? k : n), 0.0f, c + g * m * n, int(n));
  }
  stats.calls += double(batch);
  stats.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

BlasStats TakeBlasStats() {
  const BlasStats taken = stats;
  stats = {0, 0};
  return taken;
}

void SumRows(const float* x, int64_t rows, int64_t cols, float* out) {
  static std::vector<float> ones;
  if (int64_t(ones.size()) < rows) ones.assign(rows, 1.0f);
  Gemm(1, 1, cols, rows, false, false, ones.data(), x, out);
}

}  // namespace spo
