// Float32 matrix products on memory TensorFlow.js's WASM backend owns, computed by the machine's
// BLAS: the WASM heap is one ArrayBuffer, so the operands are read and the result written in place,
// with no copies. The BLAS library is opened at run time (dlopen), so building needs no BLAS headers
// and a machine without one still loads this addon and reports why it cannot multiply.
#include <node_api.h>
#include <dlfcn.h>
#include <cstdint>
#include <string>

namespace {

// cblas_sgemm's C ABI (row-major = 101, no transpose = 111, transpose = 112).
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreadsFn = void (*)(int);
using CoreNameFn = char* (*)();
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

SgemmFn sgemm = nullptr;

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

// load(libraryPath, threads) -> the kernel set the library runs ("Haswell": OpenBLAS's
// openblas_get_corename; "" for a BLAS that does not say), or throws saying why it is unusable.
napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char path[1024];
  size_t length = 0;
  int32_t threads = 0;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &threads) != napi_ok) {
    return Throw(env, "load(libraryPath: string, threads: number)");
  }
  void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return Throw(env, std::string("dlopen failed: ") + dlerror());
  auto found = reinterpret_cast<SgemmFn>(dlsym(library, "cblas_sgemm"));
  if (found == nullptr) return Throw(env, std::string(path) + " has no cblas_sgemm");
  auto setThreads = reinterpret_cast<SetThreadsFn>(dlsym(library, "openblas_set_num_threads"));
  if (setThreads != nullptr && threads > 0) setThreads(threads);
  sgemm = found;
  auto coreName = reinterpret_cast<CoreNameFn>(dlsym(library, "openblas_get_corename"));
  napi_value core;
  napi_create_string_utf8(env, coreName != nullptr ? coreName() : "", NAPI_AUTO_LENGTH, &core);
  return core;
}

// gemm(heap, offsetA, offsetB, offsetC, batch, m, n, k, transposeA, transposeB):
// for each of `batch` matrices, C[m, n] = op(A) op(B), where A is [m, k] ([k, m] when transposed),
// B is [k, n] ([n, k] when transposed), all row-major and contiguous, at byte offsets into `heap`.
napi_value Gemm(napi_env env, napi_callback_info info) {
  if (sgemm == nullptr) return Throw(env, "no BLAS loaded; call load() first");
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 10) return Throw(env, "gemm needs 10 arguments");
  void* data = nullptr;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) return Throw(env, "gemm: heap must be an ArrayBuffer");
  int64_t offsets[3];
  for (int i = 0; i < 3; i++) napi_get_value_int64(env, argv[1 + i], &offsets[i]);
  int32_t batch, m, n, k;
  napi_get_value_int32(env, argv[4], &batch);
  napi_get_value_int32(env, argv[5], &m);
  napi_get_value_int32(env, argv[6], &n);
  napi_get_value_int32(env, argv[7], &k);
  bool transposeA = false, transposeB = false;
  napi_get_value_bool(env, argv[8], &transposeA);
  napi_get_value_bool(env, argv[9], &transposeB);
  if (batch < 0 || m < 0 || n < 0 || k < 0) return Throw(env, "gemm: negative dimension");
  const int64_t sizes[3] = {int64_t(batch) * m * k, int64_t(batch) * k * n, int64_t(batch) * m * n};
  for (int i = 0; i < 3; i++) {
    if (offsets[i] < 0 || offsets[i] % 4 != 0 || offsets[i] + sizes[i] * 4 > int64_t(bytes)) {
      return Throw(env, "gemm: operand " + std::to_string(i) + " lies outside the heap");
    }
  }
  char* base = static_cast<char*>(data);
  const float* a = reinterpret_cast<const float*>(base + offsets[0]);
  const float* b = reinterpret_cast<const float*>(base + offsets[1]);
  float* c = reinterpret_cast<float*>(base + offsets[2]);
  for (int32_t g = 0; g < batch; g++) {
    sgemm(kRowMajor, transposeA ? kTrans : kNoTrans, transposeB ? kTrans : kNoTrans, m, n, k, 1.0f,
          a + int64_t(g) * m * k, transposeA ? m : k, b + int64_t(g) * k * n, transposeB ? k : n, 0.0f,
          c + int64_t(g) * m * n, n);
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "load", NAPI_AUTO_LENGTH, Load, nullptr, &fn);
  napi_set_named_property(env, exports, "load", fn);
  napi_create_function(env, "gemm", NAPI_AUTO_LENGTH, Gemm, nullptr, &fn);
  napi_set_named_property(env, exports, "gemm", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
