// Fused transformer kernels on memory TensorFlow.js's WASM backend owns: each reads its operands and
// writes its results in place in the WASM heap (one ArrayBuffer), one call where the composed tfjs ops
// launch 5-12 kernels and allocate as many intermediates. Forward and backward of
//   LayerNorm / RMSNorm over the last axis      norm, normGrad
//   GPT-2's tanh GELU                          gelu, geluGrad
//   Llama's SwiGLU, silu(gate) * up            swiglu, swigluGrad
//   softmax(scale * s + mask) over the last axis, the mask broadcast over heads
//                                              maskedSoftmax, softmaxGrad
//   log-softmax at one target per row          tokenLogProbs, tokenLogProbsGrad
// Every argument after the heap is a byte offset into it or a size; offsets are checked against the
// heap's length before anything is touched. Sums over a row accumulate in double; elementwise math is
// float32, as in the composed ops, with an exp of our own (Exp) so that every machine and compiler
// rounds alike; built with -O3 -fno-trapping-math (the elementwise loops vectorise) and
// -ffp-contract=off (no fused multiply-adds, so vector and scalar code give the same bits).
#include <node_api.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

// e^x in float32 by the same arithmetic on every machine and compiler (libm's expf differs between
// versions and picks code by the processor): x = n·ln2 + r with n = round(x·log2 e), e^r by Cephes's
// degree-6 polynomial (about 1 ulp), times 2^n built from n's bits. Branch-free, so elementwise loops
// over it vectorise; with -ffp-contract=off the vector and scalar paths round alike. 0 below −87.3
// (where e^x leaves float32's normal range), as a masked score's weight must be.
inline float Exp(float x) {
  const float clamped = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float scaled = clamped * 1.44269504088896341f;
  const int32_t n = static_cast<int32_t>(scaled + (scaled >= 0.0f ? 0.5f : -0.5f));
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

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

// The arguments of one call: the heap, then numbers. Offsets are checked by Span before use.
struct Call {
  napi_env env;
  char* base = nullptr;
  size_t bytes = 0;
  std::vector<double> args;
  bool ok = false;

  Call(napi_env e, napi_callback_info info, size_t count, const char* name) : env(e) {
    std::vector<napi_value> argv(count + 1);
    size_t argc = count + 1;
    napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
    if (argc < count + 1) {
      Throw(env, std::string(name) + " needs " + std::to_string(count + 1) + " arguments");
      return;
    }
    void* data = nullptr;
    if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) {
      Throw(env, std::string(name) + ": the heap must be an ArrayBuffer");
      return;
    }
    base = static_cast<char*>(data);
    args.resize(count);
    for (size_t i = 0; i < count; i++) {
      if (napi_get_value_double(env, argv[i + 1], &args[i]) != napi_ok) {
        Throw(env, std::string(name) + ": argument " + std::to_string(i + 1) + " must be a number");
        return;
      }
    }
    ok = true;
  }

  int64_t Int(size_t i) const { return static_cast<int64_t>(args[i]); }

  // A pointer to `elements` 4-byte values at the offset in argument i, or null (after throwing) when they
  // would lie outside the heap. A negative offset means "not given" and yields null without an error.
  template <typename T>
  T* Span(size_t i, int64_t elements, const char* what, bool optional = false) {
    int64_t offset = Int(i);
    if (optional && offset < 0) return nullptr;
    if (offset < 0 || offset % 4 != 0 || elements < 0 || offset + elements * 4 > int64_t(bytes)) {
      Throw(env, std::string(what) + " lies outside the heap");
      ok = false;
      return nullptr;
    }
    return reinterpret_cast<T*>(base + offset);
  }
};

// norm(heap, x, gain, bias, y, normed, rstd, rows, d, eps, centred):
//   centred (LayerNorm): x̂ = (x − mean)·r, r = 1/sqrt(var + eps), y = x̂·gain + bias
//   not (RMSNorm):       x̂ = x·r, r = 1/sqrt(mean(x²) + eps), y = x̂·gain (bias offset −1)
napi_value Norm(napi_env env, napi_callback_info info) {
  Call c(env, info, 10, "norm");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(6), d = c.Int(7);
  const double eps = c.args[8];
  const bool centred = c.args[9] != 0;
  const float* x = c.Span<const float>(0, rows * d, "x");
  const float* gain = c.Span<const float>(1, d, "gain");
  const float* bias = c.Span<const float>(2, d, "bias", true);
  float* y = c.Span<float>(3, rows * d, "y");
  float* normed = c.Span<float>(4, rows * d, "normed");
  float* rstd = c.Span<float>(5, rows, "rstd");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < rows; i++) {
    const float* xi = x + i * d;
    double mean = 0;
    if (centred) {
      for (int64_t j = 0; j < d; j++) mean += xi[j];
      mean /= double(d);
    }
    double squares = 0;
    for (int64_t j = 0; j < d; j++) {
      const double u = double(xi[j]) - mean;
      squares += u * u;
    }
    const float r = float(1.0 / std::sqrt(squares / double(d) + eps));
    rstd[i] = r;
    float* ni = normed + i * d;
    float* yi = y + i * d;
    for (int64_t j = 0; j < d; j++) {
      ni[j] = float(double(xi[j]) - mean) * r;
      yi[j] = bias ? ni[j] * gain[j] + bias[j] : ni[j] * gain[j];
    }
  }
  return nullptr;
}

// normGrad(heap, dy, normed, rstd, gain, dx, dgain, dbias, rows, d, centred), with g = dy·gain:
//   centred: dx = r·(g − mean(g) − x̂·mean(g·x̂));  not: dx = r·(g − x̂·mean(g·x̂))
//   dgain = Σ_rows dy·x̂, dbias = Σ_rows dy (dbias offset −1: not computed)
napi_value NormGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 10, "normGrad");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(7), d = c.Int(8);
  const bool centred = c.args[9] != 0;
  const float* dy = c.Span<const float>(0, rows * d, "dy");
  const float* normed = c.Span<const float>(1, rows * d, "normed");
  const float* rstd = c.Span<const float>(2, rows, "rstd");
  const float* gain = c.Span<const float>(3, d, "gain");
  float* dx = c.Span<float>(4, rows * d, "dx");
  float* dgain = c.Span<float>(5, d, "dgain");
  float* dbias = c.Span<float>(6, d, "dbias", true);
  if (!c.ok) return nullptr;
  std::vector<double> gainSum(d, 0.0), biasSum(d, 0.0);
  for (int64_t i = 0; i < rows; i++) {
    const float* dyi = dy + i * d;
    const float* ni = normed + i * d;
    double meanG = 0, meanGN = 0;
    for (int64_t j = 0; j < d; j++) {
      const double g = double(dyi[j]) * gain[j];
      meanG += g;
      meanGN += g * ni[j];
      gainSum[j] += double(dyi[j]) * ni[j];
      biasSum[j] += dyi[j];
    }
    meanG = centred ? meanG / double(d) : 0.0;
    meanGN /= double(d);
    const double r = rstd[i];
    float* dxi = dx + i * d;
    for (int64_t j = 0; j < d; j++) dxi[j] = float(r * (double(dyi[j]) * gain[j] - meanG - ni[j] * meanGN));
  }
  for (int64_t j = 0; j < d; j++) {
    dgain[j] = float(gainSum[j]);
    if (dbias) dbias[j] = float(biasSum[j]);
  }
  return nullptr;
}

constexpr float kGeluC = 0.7978845608f;  // sqrt(2/π)
constexpr float kGeluA = 0.044715f;

// gelu(heap, x, y, n): 0.5·x·(1 + tanh(c·(x + a·x³))) = x·σ(2c·(x + a·x³))
napi_value Gelu(napi_env env, napi_callback_info info) {
  Call c(env, info, 3, "gelu");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(2);
  const float* x = c.Span<const float>(0, n, "x");
  float* y = c.Span<float>(1, n, "y");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float s = 1.0f / (1.0f + Exp(-2.0f * kGeluC * (v + kGeluA * v * v * v)));
    y[i] = v * s;
  }
  return nullptr;
}

// geluGrad(heap, x, dy, dx, n): dx = dy·(s + x·s·(1 − s)·2c·(1 + 3a·x²))
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 4, "geluGrad");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(3);
  const float* x = c.Span<const float>(0, n, "x");
  const float* dy = c.Span<const float>(1, n, "dy");
  float* dx = c.Span<float>(2, n, "dx");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float s = 1.0f / (1.0f + Exp(-2.0f * kGeluC * (v + kGeluA * v * v * v)));
    dx[i] = dy[i] * (s + v * s * (1.0f - s) * 2.0f * kGeluC * (1.0f + 3.0f * kGeluA * v * v));
  }
  return nullptr;
}

// swiglu(heap, gate, up, y, n): y = gate·σ(gate)·up
napi_value Swiglu(napi_env env, napi_callback_info info) {
  Call c(env, info, 4, "swiglu");
  if (!c.ok) return nullptr;
  const int64_t n = c.Int(3);
  const float* gate = c.Span<const float>(0, n, "gate");
  const float* up = c.Span<const float>(1, n, "up");
  float* y = c.Span<float>(2, n, "y");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < n; i++) {
    const float g = gate[i];
    y[i] = g / (1.0f + Exp(-g)) * up[i];
  }
  return nullptr;
}

// swigluGrad(heap, gate, up, dy, dgate, dup, n): dup = dy·silu(gate), dgate = dy·up·σ(g)·(1 + g·(1 − σ(g)))
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
  for (int64_t i = 0; i < n; i++) {
    const float g = gate[i];
    const float s = 1.0f / (1.0f + Exp(-g));
    dup[i] = dy[i] * g * s;
    dgate[i] = dy[i] * up[i] * s * (1.0f + g * (1.0f - s));
  }
  return nullptr;
}

// maskedSoftmax(heap, s, mask, y, outer, heads, inner, width, scale, maskOuter):
// s and y are [outer, heads, inner·width] (inner·width = one head's rows of scores), mask is
// [maskOuter, inner·width] with maskOuter 1 or `outer`, added to every head (offset −1: no mask);
// y = softmax over each row of `width` of scale·s + mask.
napi_value MaskedSoftmax(napi_env env, napi_callback_info info) {
  Call c(env, info, 9, "maskedSoftmax");
  if (!c.ok) return nullptr;
  const int64_t outer = c.Int(3), heads = c.Int(4), inner = c.Int(5), width = c.Int(6), maskOuter = c.Int(8);
  const float scale = float(c.args[7]);
  const int64_t block = inner * width;
  const float* s = c.Span<const float>(0, outer * heads * block, "scores");
  const float* mask = c.Span<const float>(1, maskOuter * block, "mask", true);
  float* y = c.Span<float>(2, outer * heads * block, "y");
  if (!c.ok) return nullptr;
  if (mask && maskOuter != 1 && maskOuter != outer) return Throw(env, "maskedSoftmax: mask's outer size is neither 1 nor outer");
  std::vector<float> row(width);
  for (int64_t o = 0; o < outer; o++) {
    const float* m = mask ? mask + (maskOuter == 1 ? 0 : o * block) : nullptr;
    for (int64_t h = 0; h < heads; h++) {
      const int64_t at = (o * heads + h) * block;
      for (int64_t t = 0; t < inner; t++) {
        const float* si = s + at + t * width;
        float* yi = y + at + t * width;
        float top = -INFINITY;
        for (int64_t j = 0; j < width; j++) {
          float v = si[j] * scale;
          if (m) v = v + m[t * width + j];
          row[j] = v;
          if (v > top) top = v;
        }
        if (top == -INFINITY) top = 0;  // every key masked by −inf: weights 0, not NaN
        for (int64_t j = 0; j < width; j++) row[j] = Exp(row[j] - top);  // vectorises; the sum after
        double total = 0;
        for (int64_t j = 0; j < width; j++) total += row[j];
        const float inv = total > 0 ? float(1.0 / total) : 0.0f;
        for (int64_t j = 0; j < width; j++) yi[j] = row[j] * inv;
      }
    }
  }
  return nullptr;
}

// softmaxGrad(heap, y, dy, ds, rows, width, scale): ds = scale·y·(dy − Σ_j dy·y) per row
napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  Call c(env, info, 6, "softmaxGrad");
  if (!c.ok) return nullptr;
  const int64_t rows = c.Int(3), width = c.Int(4);
  const double scale = c.args[5];
  const float* y = c.Span<const float>(0, rows * width, "y");
  const float* dy = c.Span<const float>(1, rows * width, "dy");
  float* ds = c.Span<float>(2, rows * width, "ds");
  if (!c.ok) return nullptr;
  for (int64_t i = 0; i < rows; i++) {
    const float* yi = y + i * width;
    const float* dyi = dy + i * width;
    double dot = 0;
    for (int64_t j = 0; j < width; j++) dot += double(dyi[j]) * yi[j];
    float* dsi = ds + i * width;
    for (int64_t j = 0; j < width; j++) dsi[j] = float(scale * yi[j] * (dyi[j] - dot));
  }
  return nullptr;
}

// tokenLogProbs(heap, logits, targets, out, lse, rows, vocab): lse = log Σ_v e^{logits}, out = logits[t] − lse
// (targets are int32 on the heap)
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
  std::vector<float> e(vocab);
  for (int64_t i = 0; i < rows; i++) {
    const float* li = logits + i * vocab;
    float top = -INFINITY;
    for (int64_t v = 0; v < vocab; v++) top = li[v] > top ? li[v] : top;
    for (int64_t v = 0; v < vocab; v++) e[v] = Exp(li[v] - top);  // vectorises; the sum after
    double total = 0;
    for (int64_t v = 0; v < vocab; v++) total += e[v];
    const double l = double(top) + std::log(total);
    lse[i] = float(l);
    out[i] = float(double(li[targets[i]]) - l);
  }
  return nullptr;
}

// tokenLogProbsGrad(heap, logits, targets, lse, dy, dlogits, rows, vocab): dlogits = dy·(onehot(t) − softmax)
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
    const float* li = logits + i * vocab;
    float* di = dlogits + i * vocab;
    const float g = dy[i], l = lse[i];
    for (int64_t v = 0; v < vocab; v++) di[v] = -g * Exp(li[v] - l);
    di[targets[i]] += g;
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {
      {"norm", Norm},           {"normGrad", NormGrad},           {"gelu", Gelu},
      {"geluGrad", GeluGrad},   {"swiglu", Swiglu},               {"swigluGrad", SwigluGrad},
      {"maskedSoftmax", MaskedSoftmax}, {"softmaxGrad", SoftmaxGrad}, {"tokenLogProbs", TokenLogProbs},
      {"tokenLogProbsGrad", TokenLogProbsGrad},
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
