// The N-API face of the fused kernels: each reads its operands and writes its results in place in
// memory TensorFlow.js's WASM backend owns (the heap, one ArrayBuffer), one call where the composed
// tfjs ops launch 5-12 kernels (elementwise.h), or a whole GPT-2 block where they launch ~60
// (gpt2-block.h). Every argument after the heap is a byte offset into it or a size; every operand is
// checked to lie inside the heap before anything is touched. Built with -O3 -fno-trapping-math (the
// elementwise loops vectorise) and -ffp-contract=off (no fused multiply-adds, so vector and scalar code
// give the same bits).
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "blas.h"
#include "elementwise.h"
#include "gpt2-block.h"
#include "optimizer.h"

namespace {

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

// The operands of one call: the heap, and numbers given either as arguments or as one Float64Array.
// Offsets are checked by Span before use.
struct Call {
  napi_env env;
  const char* name;
  char* base = nullptr;
  size_t bytes = 0;
  std::vector<double> args;
  bool ok = false;

  // heap, then `count` numbers as separate arguments
  Call(napi_env e, napi_callback_info info, size_t count, const char* n) : env(e), name(n) {
    std::vector<napi_value> argv(count + 1);
    size_t argc = count + 1;
    napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
    if (argc < count + 1) {
      Throw(env, std::string(name) + " needs " + std::to_string(count + 1) + " arguments");
      return;
    }
    if (!Heap(argv[0])) return;
    args.resize(count);
    for (size_t i = 0; i < count; i++) {
      if (napi_get_value_double(env, argv[i + 1], &args[i]) != napi_ok) {
        Throw(env, std::string(name) + ": argument " + std::to_string(i + 1) + " must be a number");
        return;
      }
    }
    ok = true;
  }

  // heap, then one Float64Array of `count` numbers (0: any length that is a multiple of `group`), then
  // `extra` more numbers, read by Extra(i)
  Call(napi_env e, napi_callback_info info, const char* n, size_t count, size_t group = 1, size_t extra = 0)
      : env(e), name(n) {
    std::vector<napi_value> argv(2 + extra);
    size_t argc = 2 + extra;
    napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
    if (argc < 2 + extra) {
      Throw(env, std::string(name) + " needs the heap, a Float64Array and " + std::to_string(extra) + " numbers");
      return;
    }
    if (!Heap(argv[0])) return;
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float64_array || (count ? length != count : length % group != 0)) {
      Throw(env, std::string(name) + ": the second argument must be a Float64Array of " +
                     (count ? std::to_string(count) : "a multiple of " + std::to_string(group)));
      return;
    }
    const double* values = static_cast<const double*>(data);
    args.assign(values, values + length);
    extras.resize(extra);
    for (size_t i = 0; i < extra; i++) {
      if (napi_get_value_double(env, argv[2 + i], &extras[i]) != napi_ok) {
        Throw(env, std::string(name) + ": argument " + std::to_string(3 + i) + " must be a number");
        return;
      }
    }
    ok = true;
  }

  std::vector<double> extras;

  bool Heap(napi_value value) {
    void* data = nullptr;
    if (napi_get_arraybuffer_info(env, value, &data, &bytes) != napi_ok) {
      Throw(env, std::string(name) + ": the heap must be an ArrayBuffer");
      return false;
    }
    base = static_cast<char*>(data);
    return true;
  }

  int64_t Int(size_t i) const { return static_cast<int64_t>(args[i]); }

  // A pointer to `elements` 4-byte values at the offset in argument i, or null (after throwing) when they
  // would lie outside the heap. A negative offset means "not given" and yields null without an error.
  template <typename T>
  T* Span(size_t i, int64_t elements, const char* what, bool optional = false) {
    int64_t offset = Int(i);
    if (optional && offset < 0) return nullptr;
    if (!ok) return nullptr;
    if (offset < 0 || offset % 4 != 0 || elements < 0 || offset + elements * 4 > int64_t(bytes)) {
      Throw(env, std::string(what) + " lies outside the heap");
      ok = false;
      return nullptr;
    }
    return reinterpret_cast<T*>(base + offset);
  }
};

// norm(heap, x, gain, bias, y, normed, rstd, rows, d, eps, centred): LayerNorm (centred) or RMSNorm (bias −1)
napi_value Norm(napi_env env, napi_callback_info info) {
  Call c(env, info, 10, "norm");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(6), d = c.Int(7);
  const float* x = c.Span<const float>(0, rows * d, "x");
  const float* gain = c.Span<const float>(1, d, "gain");
  const float* bias = c.Span<const float>(2, d, "bias", true);
  float* y = c.Span<float>(3, rows * d, "y");
  float* normed = c.Span<float>(4, rows * d, "normed");
  float* rstd = c.Span<float>(5, rows, "rstd");
  if (!c.ok) return nullptr;
  spo::Elementwise().Norm(x, gain, bias, y, normed, rstd, rows, d, c.args[8], c.args[9] != 0);
  return nullptr;
}

// normGrad(heap, dy, normed, rstd, gain, dx, dgain, dbias, rows, d, centred) (dbias −1: not computed)
napi_value NormGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 10, "normGrad");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(7), d = c.Int(8);
  const float* dy = c.Span<const float>(0, rows * d, "dy");
  const float* normed = c.Span<const float>(1, rows * d, "normed");
  const float* rstd = c.Span<const float>(2, rows, "rstd");
  const float* gain = c.Span<const float>(3, d, "gain");
  float* dx = c.Span<float>(4, rows * d, "dx");
  float* dgain = c.Span<float>(5, d, "dgain");
  float* dbias = c.Span<float>(6, d, "dbias", true);
  if (!c.ok) return nullptr;
  spo::Elementwise().NormGrad(dy, normed, rstd, gain, dx, dgain, dbias, rows, d, c.args[9] != 0);
  return nullptr;
}

// gelu(heap, x, y, n)
napi_value Gelu(napi_env env, napi_callback_info info) {
  Call c(env, info, 3, "gelu");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(2);
  const float* x = c.Span<const float>(0, n, "x");
  float* y = c.Span<float>(1, n, "y");
  if (!c.ok) return nullptr;
  spo::Elementwise().Gelu(x, y, n);
  return nullptr;
}

// geluGrad(heap, x, dy, dx, n)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 4, "geluGrad");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(3);
  const float* x = c.Span<const float>(0, n, "x");
  const float* dy = c.Span<const float>(1, n, "dy");
  float* dx = c.Span<float>(2, n, "dx");
  if (!c.ok) return nullptr;
  spo::Elementwise().GeluGrad(x, dy, dx, n);
  return nullptr;
}

// swiglu(heap, gate, up, y, n)
napi_value Swiglu(napi_env env, napi_callback_info info) {
  Call c(env, info, 4, "swiglu");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(3);
  const float* gate = c.Span<const float>(0, n, "gate");
  const float* up = c.Span<const float>(1, n, "up");
  float* y = c.Span<float>(2, n, "y");
  if (!c.ok) return nullptr;
  spo::Elementwise().Swiglu(gate, up, y, n);
  return nullptr;
}

// swigluGrad(heap, gate, up, dy, dgate, dup, n)
napi_value SwigluGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 6, "swigluGrad");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(5);
  const float* gate = c.Span<const float>(0, n, "gate");
  const float* up = c.Span<const float>(1, n, "up");
  const float* dy = c.Span<const float>(2, n, "dy");
  float* dgate = c.Span<float>(3, n, "dgate");
  float* dup = c.Span<float>(4, n, "dup");
  if (!c.ok) return nullptr;
  spo::Elementwise().SwigluGrad(gate, up, dy, dgate, dup, n);
  return nullptr;
}

// maskedSoftmax(heap, s, mask, y, outer, heads, inner, width, scale, maskOuter): s and y [outer, heads,
// inner·width], mask [maskOuter, inner·width] (offset −1: no mask)
napi_value MaskedSoftmax(napi_env env, napi_callback_info info) {
  Call c(env, info, 9, "maskedSoftmax");
  if (!c.ok) return nullptr;
  const int64_t outer = c.Int(3), heads = c.Int(4), inner = c.Int(5), width = c.Int(6), maskOuter = c.Int(8);
  const int64_t block = inner * width;
  const float* s = c.Span<const float>(0, outer * heads * block, "scores");
  const float* mask = c.Span<const float>(1, maskOuter * block, "mask", true);
  float* y = c.Span<float>(2, outer * heads * block, "y");
  if (!c.ok) return nullptr;
  if (mask && maskOuter != 1 && maskOuter != outer)
    return Throw(env, "maskedSoftmax: mask's outer size is neither 1 nor outer");
  spo::Elementwise().MaskedSoftmax(s, mask, y, outer, heads, inner, width, float(c.args[7]), maskOuter);
  return nullptr;
}

// softmaxGrad(heap, y, dy, ds, rows, width, scale)
napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 6, "softmaxGrad");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(3), width = c.Int(4);
  const float* y = c.Span<const float>(0, rows * width, "y");
  const float* dy = c.Span<const float>(1, rows * width, "dy");
  float* ds = c.Span<float>(2, rows * width, "ds");
  if (!c.ok) return nullptr;
  spo::Elementwise().SoftmaxGrad(y, dy, ds, rows, width, c.args[5]);
  return nullptr;
}

// tokenLogProbs(heap, logits, targets, out, lse, rows, vocab) (targets int32)
napi_value TokenLogProbs(napi_env env, napi_callback_info info) {
  Call c(env, info, 6, "tokenLogProbs");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(4), vocab = c.Int(5);
  const float* logits = c.Span<const float>(0, rows * vocab, "logits");
  const int32_t* targets = c.Span<const int32_t>(1, rows, "targets");
  float* out = c.Span<float>(2, rows, "out");
  float* lse = c.Span<float>(3, rows, "lse");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < rows; i++) {
    if (targets[i] < 0 || targets[i] >= vocab) return Throw(env, "tokenLogProbs: a target lies outside the vocabulary");
  }
  spo::Elementwise().TokenLogProbs(logits, targets, out, lse, rows, vocab);
  return nullptr;
}

// tokenLogProbsGrad(heap, logits, targets, lse, dy, dlogits, rows, vocab)
napi_value TokenLogProbsGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 7, "tokenLogProbsGrad");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(5), vocab = c.Int(6);
  const float* logits = c.Span<const float>(0, rows * vocab, "logits");
  const int32_t* targets = c.Span<const int32_t>(1, rows, "targets");
  const float* lse = c.Span<const float>(2, rows, "lse");
  const float* dy = c.Span<const float>(3, rows, "dy");
  float* dlogits = c.Span<float>(4, rows * vocab, "dlogits");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < rows; i++) {
    if (targets[i] < 0 || targets[i] >= vocab)
      return Throw(env, "tokenLogProbsGrad: a target lies outside the vocabulary");
  }
  spo::Elementwise().TokenLogProbsGrad(logits, targets, lse, dy, dlogits, rows, vocab);
  return nullptr;
}

// useBlas(library) -> "" when cblas_sgemm was found in it, else why not
napi_value UseBlas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char path[1024];
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok)
    return Throw(env, "useBlas(library: string)");
  napi_value result;
  napi_create_string_utf8(env, spo::UseBlas(path).c_str(), NAPI_AUTO_LENGTH, &result);
  return result;
}

// A block call's numbers: [B, T, d, heads, past, maskOuter, eps, scale], then byte offsets.
constexpr size_t kShapeArgs = 8;
constexpr size_t kWeightArgs = 12;

// The shape, checked; false (after throwing) when it is not a block's.
bool BlockShape(Call& c, spo::Gpt2BlockShape& s) {
  s = {c.Int(0), c.Int(1), c.Int(2), c.Int(3), c.Int(4), c.Int(5), c.args[6], c.args[7]};
  const bool masks = s.maskOuter == 1 || s.maskOuter == s.B;
  if (s.B < 1 || s.T < 1 || s.d < 1 || s.H < 1 || s.d % s.H != 0 || s.P < 0 || !masks) {
    Throw(c.env, std::string(c.name) + ": not a block's shape (batch, tokens, width, heads dividing it, past ≥ 0, " +
                     "mask rows 1 or the batch)");
    return false;
  }
  if (!spo::BlasLoaded()) {
    Throw(c.env, std::string(c.name) + ": no BLAS; call useBlas() first");
    return false;
  }
  return true;
}

// The block's weights from the 12 offsets starting at argument `first`, each checked for its size.
spo::Gpt2BlockWeights BlockWeights(Call& c, size_t first, const spo::Gpt2BlockShape& s) {
  const int64_t d = s.d, f = 4 * s.d;
  const int64_t sizes[kWeightArgs] = {d, d, d * 3 * d, 3 * d, d * d, d, d, d, d * f, f, f * d, d};
  const char* names[kWeightArgs] = {"ln_1.weight",    "ln_1.bias",      "attn.c_attn.weight", "attn.c_attn.bias",
                                    "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight",    "ln_2.bias",
                                    "mlp.c_fc.weight", "mlp.c_fc.bias",   "mlp.c_proj.weight", "mlp.c_proj.bias"};
  const float* p[kWeightArgs];
  for (size_t i = 0; i < kWeightArgs; i++) p[i] = c.Span<const float>(first + i, sizes[i], names[i]);
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]};
}

// gpt2BlockSavedFloats(shape: Float64Array of 8) -> floats in the forward's saved array
napi_value Gpt2BlockSavedFloats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array || length < kShapeArgs)
    return Throw(env, "gpt2BlockSavedFloats(shape: Float64Array of 8)");
  const double* v = static_cast<const double*>(data);
  const spo::Gpt2BlockShape s{int64_t(v[0]), int64_t(v[1]), int64_t(v[2]), int64_t(v[3]), int64_t(v[4]), int64_t(v[5]),
                              v[6], v[7]};
  napi_value result;
  napi_create_double(env, double(spo::Gpt2BlockSavedFloats(s)), &result);
  return result;
}

// gpt2BlockForward(heap, [shape 8, weights 12, x, mask, cacheKeys, cacheValues, y, keys, values, saved])
// (cache, keys, values and saved −1 when absent)
napi_value Gpt2BlockForward(napi_env env, napi_callback_info info) {
  Call c(env, info, "gpt2BlockForward", kShapeArgs + kWeightArgs + 8);
  spo::Gpt2BlockShape s;
  if (!c.ok || !BlockShape(c, s)) return nullptr;
  const int64_t N = s.B * s.T, S = s.P + s.T, d = s.d;
  const spo::Gpt2BlockWeights w = BlockWeights(c, kShapeArgs, s);
  const size_t at = kShapeArgs + kWeightArgs;
  const float* x = c.Span<const float>(at, N * d, "x");
  const float* mask = c.Span<const float>(at + 1, s.maskOuter * s.T * S, "mask");
  const float* cacheKeys = c.Span<const float>(at + 2, s.B * s.P * d, "cache keys", s.P == 0);
  const float* cacheValues = c.Span<const float>(at + 3, s.B * s.P * d, "cache values", s.P == 0);
  float* y = c.Span<float>(at + 4, N * d, "y");
  float* keys = c.Span<float>(at + 5, s.B * S * d, "keys", true);
  float* values = c.Span<float>(at + 6, s.B * S * d, "values", true);
  float* saved = c.Span<float>(at + 7, spo::Gpt2BlockSavedFloats(s), "saved", true);
  if (!c.ok) return nullptr;
  spo::Gpt2BlockForward(s, w, x, mask, cacheKeys, cacheValues, y, keys, values, saved);
  return nullptr;
}

// gpt2BlockBackward(heap, [shape 8, weights 12, saved, keys, values, dy, dKeys, dValues, then the
// gradients: x, the 12 weights', cache keys', cache values'] (−1: absent or not wanted)
napi_value Gpt2BlockBackward(napi_env env, napi_callback_info info) {
  Call c(env, info, "gpt2BlockBackward", kShapeArgs + kWeightArgs + 6 + 15);
  spo::Gpt2BlockShape s;
  if (!c.ok || !BlockShape(c, s)) return nullptr;
  if (s.T < 2) return Throw(env, "gpt2BlockBackward: one new token has no backward pass here (T must be > 1)");
  const int64_t N = s.B * s.T, S = s.P + s.T, d = s.d, f = 4 * d;
  const spo::Gpt2BlockWeights w = BlockWeights(c, kShapeArgs, s);
  size_t at = kShapeArgs + kWeightArgs;
  const float* saved = c.Span<const float>(at, spo::Gpt2BlockSavedFloats(s), "saved");
  const float* keys = c.Span<const float>(at + 1, s.B * S * d, "keys");
  const float* values = c.Span<const float>(at + 2, s.B * S * d, "values");
  const float* dy = c.Span<const float>(at + 3, N * d, "dy");
  const float* dKeys = c.Span<const float>(at + 4, s.B * S * d, "dKeys", true);
  const float* dValues = c.Span<const float>(at + 5, s.B * S * d, "dValues", true);
  at += 6;
  const int64_t cache = s.B * s.P * d;
  const int64_t sizes[15] = {N * d, d, d, d * 3 * d, 3 * d, d * d, d, d, d, d * f, f, f * d, d, cache, cache};
  float* g[15];
  for (size_t i = 0; i < 15; i++) g[i] = c.Span<float>(at + i, sizes[i], "a gradient", true);
  if (!c.ok) return nullptr;
  const spo::Gpt2BlockGrads grads{g[0], g[1], g[2],  g[3],  g[4],  g[5],  g[6], g[7],
                                  g[8], g[9], g[10], g[11], g[12], g[13], g[14]};
  spo::Gpt2BlockBackward(s, w, saved, keys, values, dy, dKeys, dValues, grads);
  return nullptr;
}

// sumOfSquares(heap, [offset, size]*, scale) -> Σ over every tensor of (g·scale)², each tensor's sum in
// order, then the tensors' sums in order (tf.addN of tf.sum(tf.square(tf.mul(g, scale))))
napi_value SumOfSquares(napi_env env, napi_callback_info info) {
  Call c(env, info, "sumOfSquares", 0, 2, 1);
  if (!c.ok) return nullptr;
  const float scale = float(c.extras[0]);
  float total = 0;
  for (size_t t = 0; t < c.args.size(); t += 2) {
    const int64_t n = c.Int(t + 1);
    const float* g = c.Span<const float>(t, n, "a gradient");
    if (!c.ok) return nullptr;
    total += spo::SumOfSquares(g, n, scale);
  }
  napi_value result;
  napi_create_double(env, double(total), &result);
  return result;
}

// scaleTwice(heap, [in, out, size]*, a, b): out = (in·a)·b for each tensor
napi_value ScaleTwice(napi_env env, napi_callback_info info) {
  Call c(env, info, "scaleTwice", 0, 3, 2);
  if (!c.ok) return nullptr;
  for (size_t t = 0; t < c.args.size(); t += 3) {
    const int64_t n = c.Int(t + 2);
    const float* in = c.Span<const float>(t, n, "a gradient");
    float* out = c.Span<float>(t + 1, n, "a scaled gradient");
    if (!c.ok) return nullptr;
    spo::ScaleTwice(in, out, n, float(c.extras[0]), float(c.extras[1]));
  }
  return nullptr;
}

// adamW(heap, [p, g, m, v, p', m', v', size, decay]*, β1, β2, c1, c2, ε, weight decay, lr): AdamW's
// update of every parameter (optimizer.h); each constant rounded to float32 here, (1 − β) from the double
constexpr size_t kAdamWTensor = 9;
napi_value AdamW(napi_env env, napi_callback_info info) {
  Call c(env, info, "adamW", 0, kAdamWTensor, 7);
  if (!c.ok) return nullptr;
  const std::vector<double>& x = c.extras;
  const spo::AdamWScalars s{float(x[0]), float(1 - x[0]), float(x[1]), float(1 - x[1]), float(x[2]),
                            float(x[3]), float(x[4]), float(x[5]), float(x[6])};
  for (size_t t = 0; t < c.args.size(); t += kAdamWTensor) {
    const int64_t n = c.Int(t + 7);
    const float* p = c.Span<const float>(t, n, "a parameter");
    const float* g = c.Span<const float>(t + 1, n, "a gradient");
    const float* m = c.Span<const float>(t + 2, n, "a first moment");
    const float* v = c.Span<const float>(t + 3, n, "a second moment");
    float* pOut = c.Span<float>(t + 4, n, "a new parameter");
    float* mOut = c.Span<float>(t + 5, n, "a new first moment");
    float* vOut = c.Span<float>(t + 6, n, "a new second moment");
    if (!c.ok) return nullptr;
    spo::AdamWStep(p, g, m, v, pOut, mOut, vOut, n, s, c.args[t + 8] != 0);
  }
  return nullptr;
}

// takeBlasStats() -> [products, seconds] the fused blocks made since the last call
napi_value TakeBlasStats(napi_env env, napi_callback_info info) {
  const spo::BlasStats stats = spo::TakeBlasStats();
  napi_value result, calls, seconds;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, stats.calls, &calls);
  napi_create_double(env, stats.seconds, &seconds);
  napi_set_element(env, result, 0, calls);
  napi_set_element(env, result, 1, seconds);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {
      {"norm", Norm},
      {"normGrad", NormGrad},
      {"gelu", Gelu},
      {"geluGrad", GeluGrad},
      {"swiglu", Swiglu},
      {"swigluGrad", SwigluGrad},
      {"maskedSoftmax", MaskedSoftmax},
      {"softmaxGrad", SoftmaxGrad},
      {"tokenLogProbs", TokenLogProbs},
      {"tokenLogProbsGrad", TokenLogProbsGrad},
      {"useBlas", UseBlas},
      {"gpt2BlockSavedFloats", Gpt2BlockSavedFloats},
      {"gpt2BlockForward", Gpt2BlockForward},
      {"gpt2BlockBackward", Gpt2BlockBackward},
      {"sumOfSquares", SumOfSquares},
      {"scaleTwice", ScaleTwice},
      {"adamW", AdamW},
      {"takeBlasStats", TakeBlasStats},
  };
  for (const auto& f : functions) {
    napi_value value;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &value);
    napi_set_named_property(env, exports, f.name, value);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
