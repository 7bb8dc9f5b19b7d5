// The GPT-2 block of gpt2-block.h. Each step names the TensorFlow.js op of gpt2.ts / ops.ts it stands
// for; the order of the products and of every gradient sum follows that code and tfjs's backward pass
// (which walks the tape in reverse and adds a tensor's gradients in the order they arrive).
#include "gpt2-block.h"

#include "blas.h"
#include "elementwise.h"
#include "scratch.h"

#include <utility>

namespace spo {
namespace {

Scratch scratch;

struct Dims {
  int64_t B, T, d, H, P, S, dh, N, G, F;
  explicit Dims(const Gpt2BlockShape& s)
      : B(s.B), T(s.T), d(s.d), H(s.H), P(s.P), S(s.P + s.T), dh(s.d / s.H), N(s.B * s.T), G(s.B * s.H), F(4 * s.d) {}
};

// The saved intermediates' places in one array (Gpt2BlockSavedFloats).
struct Saved {
  float *normed1, *rstd1, *q, *weights, *context, *normed2, *rstd2, *hidden, *activated;
  int64_t floats;
  Saved(float* base, const Dims& n) {
    float* at = base;
    auto take = [&](int64_t count) {
      float* p = at;
      at += count;
      return p;
    };
    normed1 = take(n.N * n.d);
    rstd1 = take(n.N);
    q = take(n.N * n.d);
    weights = take(n.G * n.T * n.S);
    context = take(n.N * n.d);
    normed2 = take(n.N * n.d);
    rstd2 = take(n.N);
    hidden = take(n.N * n.F);
    activated = take(n.N * n.F);
    floats = at - base;
  }
};

// toHeads: columns [col, col + H·dh) of rows `stride` wide, [B, T, H·dh] → [B, H, T, dh] (reshape and
// transpose), each plus its bias when one is given (addBias first, as linear() does)
void ToHeads(const float* t, int64_t stride, int64_t col, const Dims& n, float* out, const float* bias = nullptr) {
  for (int64_t b = 0; b < n.B; b++)
    for (int64_t h = 0; h < n.H; h++)
      for (int64_t i = 0; i < n.T; i++) {
        const float* __restrict from = t + (b * n.T + i) * stride + col + h * n.dh;
        float* __restrict to = out + ((b * n.H + h) * n.T + i) * n.dh;
        if (bias) {
          const float* __restrict c = bias + h * n.dh;
          for (int64_t e = 0; e < n.dh; e++) to[e] = from[e] + c[e];
        } else {
          for (int64_t e = 0; e < n.dh; e++) to[e] = from[e];
        }
      }
}

// fromHeads: [B, H, T, dh] → [B, T, H·dh]
void FromHeads(const float* heads, const Dims& n, float* out) {
  for (int64_t b = 0; b < n.B; b++)
    for (int64_t h = 0; h < n.H; h++)
      for (int64_t i = 0; i < n.T; i++) {
        const float* from = heads + ((b * n.H + h) * n.T + i) * n.dh;
        float* to = out + (b * n.T + i) * n.d + h * n.dh;
        for (int64_t e = 0; e < n.dh; e++) to[e] = from[e];
      }
}

// tf.concat([cache, new], 2) over [B, H, ·, dh], and its gradient's split
void ConcatKeys(const float* cache, const float* fresh, const Dims& n, float* out) {
  for (int64_t g = 0; g < n.G; g++) {
    float* to = out + g * n.S * n.dh;
    for (int64_t e = 0; e < n.P * n.dh; e++) to[e] = cache[g * n.P * n.dh + e];
    for (int64_t e = 0; e < n.T * n.dh; e++) to[n.P * n.dh + e] = fresh[g * n.T * n.dh + e];
  }
}
void SplitKeys(const float* all, const Dims& n, float* cache, float* fresh) {
  for (int64_t g = 0; g < n.G; g++) {
    const float* from = all + g * n.S * n.dh;
    if (cache)
      for (int64_t e = 0; e < n.P * n.dh; e++) cache[g * n.P * n.dh + e] = from[e];
    for (int64_t e = 0; e < n.T * n.dh; e++) fresh[g * n.T * n.dh + e] = from[n.P * n.dh + e];
  }
}

// A residual after a linear layer: out = x + (y + bias), the bias added first (addBias, then tf.add)
void AddBiasResidual(const float* __restrict x, const float* __restrict y, const float* __restrict bias,
                     float* __restrict out, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) out[i * cols + j] = x[i * cols + j] + (y[i * cols + j] + bias[j]);
}

// tf.add of two tensors of one shape
void Add(const float* __restrict a, const float* __restrict b, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

// A gradient arriving second: total = earlier + later, in place in `later` (tfjs's add(current, dx))
void AddEarlier(const float* __restrict earlier, float* __restrict later, int64_t n) {
  for (int64_t i = 0; i < n; i++) later[i] = earlier[i] + later[i];
}

// Columns [col, col + width) of x [rows, stride], copied contiguous (tf.slice of c_attn's weight)
void Columns(const float* x, int64_t rows, int64_t stride, int64_t col, int64_t width, float* out) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < width; j++) out[i * width + j] = x[i * stride + col + j];
}

// A slice's gradient, padded with zeros and summed with the other parts' (tfjs: pad, then add): in
// place, and a −0 becomes +0 as the sum with the zeros would make it
void PutColumns(const float* part, int64_t rows, int64_t width, int64_t stride, int64_t col, float* out) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < width; j++) out[i * stride + col + j] = part[i * width + j] + 0.0f;
}

// The LayerNorm's output from its saved x̂ (as the forward computed it: x̂·gain + bias)
void NormOutput(const float* __restrict normed, const float* __restrict gain, const float* __restrict bias,
                float* __restrict y, int64_t rows, int64_t d) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < d; j++) y[i * d + j] = normed[i * d + j] * gain[j] + bias[j];
}

}  // namespace

int64_t Gpt2BlockSavedFloats(const Gpt2BlockShape& s) { return Saved(nullptr, Dims(s)).floats; }

void Gpt2BlockForward(const Gpt2BlockShape& s, const Gpt2BlockWeights& w, const float* x, const float* mask,
                      const float* cacheKeys, const float* cacheValues, float* y, float* keys, float* values,
                      float* saved) {
  const ElementwiseKernels& kernels = Elementwise();
  scratch.Reset();
  const Dims n(s);
  const Saved keep(saved ? saved : scratch.Take(Gpt2BlockSavedFloats(s)), n);
  if (!keys) keys = scratch.Take(n.G * n.S * n.dh);
  if (!values) values = scratch.Take(n.G * n.S * n.dh);

  // ln_1
  float* a1 = scratch.Take(n.N * n.d);
  kernels.Norm(x, w.ln1Gain, w.ln1Bias, a1, keep.normed1, keep.rstd1, n.N, n.d, s.eps, true);

  // q, k and v by head; k and v after the cache's
  float* freshK = n.P > 0 ? scratch.Take(n.N * n.d) : keys;
  float* freshV = n.P > 0 ? scratch.Take(n.N * n.d) : values;
  if (n.T == 1) {
    // one product with all of c_attn, split three ways (a reshape to heads for one position)
    float* qkv = scratch.Take(n.N * 3 * n.d);
    Gemm(1, n.N, 3 * n.d, n.d, false, false, a1, w.attnWeight, qkv);
    ToHeads(qkv, 3 * n.d, 0, n, keep.q, w.attnBias);
    ToHeads(qkv, 3 * n.d, n.d, n, freshK, w.attnBias + n.d);
    ToHeads(qkv, 3 * n.d, 2 * n.d, n, freshV, w.attnBias + 2 * n.d);
  } else {
    // three products with slices of c_attn (linear(x, slice(w), slice(b)) for q, k, v)
    float* part = scratch.Take(n.d * n.d);
    float* projected = scratch.Take(n.N * n.d);
    float* heads[3] = {keep.q, freshK, freshV};
    for (int j = 0; j < 3; j++) {
      Columns(w.attnWeight, n.d, 3 * n.d, j * n.d, n.d, part);
      Gemm(1, n.N, n.d, n.d, false, false, a1, part, projected);
      ToHeads(projected, n.d, 0, n, heads[j], w.attnBias + j * n.d);
    }
  }
  if (n.P > 0) {
    ConcatKeys(cacheKeys, freshK, n, keys);
    ConcatKeys(cacheValues, freshV, n, values);
  }

  // softmax(scale · q kᵀ + mask) v, heads merged, c_proj
  float* scores = scratch.Take(n.G * n.T * n.S);
  Gemm(n.G, n.T, n.S, n.dh, false, true, keep.q, keys, scores);
  kernels.MaskedSoftmax(scores, mask, keep.weights, n.B, n.H, n.T, n.S, float(s.scale), s.maskOuter);
  float* contextHeads = scratch.Take(n.N * n.d);
  Gemm(n.G, n.T, n.dh, n.S, false, false, keep.weights, values, contextHeads);
  FromHeads(contextHeads, n, keep.context);
  float* attended = scratch.Take(n.N * n.d);
  Gemm(1, n.N, n.d, n.d, false, false, keep.context, w.projWeight, attended);
  float* mid = scratch.Take(n.N * n.d);
  AddBiasResidual(x, attended, w.projBias, mid, n.N, n.d);

  // ln_2, c_fc, GELU, c_proj, residual
  float* a2 = scratch.Take(n.N * n.d);
  kernels.Norm(mid, w.ln2Gain, w.ln2Bias, a2, keep.normed2, keep.rstd2, n.N, n.d, s.eps, true);
  Gemm(1, n.N, n.F, n.d, false, false, a2, w.fcWeight, keep.hidden);
  kernels.BiasGelu(keep.hidden, w.fcBias, keep.activated, n.N, n.F);
  float* mlp = scratch.Take(n.N * n.d);
  Gemm(1, n.N, n.d, n.F, false, false, keep.activated, w.mlpProjWeight, mlp);
  AddBiasResidual(mid, mlp, w.mlpProjBias, y, n.N, n.d);
}

void Gpt2BlockBackward(const Gpt2BlockShape& s, const Gpt2BlockWeights& w, const float* saved, const float* keys,
                       const float* values, const float* dy, const float* dKeys, const float* dValues,
                       const Gpt2BlockGrads& g) {
  const ElementwiseKernels& kernels = Elementwise();
  scratch.Reset();
  const Dims n(s);
  const Saved keep(const_cast<float*>(saved), n);

  // out = mid + mlp: dy to both. mlp = addBias(matMul(activated, c_proj), b)
  if (g.mlpProjBias) SumRows(dy, n.N, n.d, g.mlpProjBias);
  float* dActivated = scratch.Take(n.N * n.F);
  Gemm(1, n.N, n.F, n.d, false, true, dy, w.mlpProjWeight, dActivated);
  if (g.mlpProjWeight) Gemm(1, n.F, n.d, n.N, true, false, keep.activated, dy, g.mlpProjWeight);
  float* dHidden = scratch.Take(n.N * n.F);
  kernels.GeluGrad(keep.hidden, dActivated, dHidden, n.N * n.F);
  if (g.fcBias) SumRows(dHidden, n.N, n.F, g.fcBias);
  float* dA2 = scratch.Take(n.N * n.d);
  Gemm(1, n.N, n.d, n.F, false, true, dHidden, w.fcWeight, dA2);
  if (g.fcWeight) {
    float* a2 = scratch.Take(n.N * n.d);
    NormOutput(keep.normed2, w.ln2Gain, w.ln2Bias, a2, n.N, n.d);
    Gemm(1, n.d, n.F, n.N, true, false, a2, dHidden, g.fcWeight);
  }
  float* dxNorm2 = scratch.Take(n.N * n.d);
  float* dGain2 = g.ln2Gain ? g.ln2Gain : scratch.Take(n.d);
  kernels.NormGrad(dA2, keep.normed2, keep.rstd2, w.ln2Gain, dxNorm2, dGain2, g.ln2Bias, n.N, n.d, true);
  // mid's gradient: the residual's (first on the tape walked backwards), then ln_2's
  float* dMid = scratch.Take(n.N * n.d);
  Add(dy, dxNorm2, dMid, n.N * n.d);

  // mid = x + attended; attended = addBias(matMul(context, c_proj), b)
  if (g.projBias) SumRows(dMid, n.N, n.d, g.projBias);
  float* dContext = scratch.Take(n.N * n.d);
  Gemm(1, n.N, n.d, n.d, false, true, dMid, w.projWeight, dContext);
  if (g.projWeight) Gemm(1, n.d, n.d, n.N, true, false, keep.context, dMid, g.projWeight);
  float* dContextHeads = scratch.Take(n.N * n.d);
  ToHeads(dContext, n.d, 0, n, dContextHeads);

  // contextHeads = weights @ values; weights = softmax(scale · scores + mask); scores = q @ keysᵀ
  float* dWeights = scratch.Take(n.G * n.T * n.S);
  Gemm(n.G, n.T, n.S, n.dh, false, true, dContextHeads, values, dWeights);
  float* dValuesAll = scratch.Take(n.G * n.S * n.dh);
  Gemm(n.G, n.S, n.dh, n.T, true, false, keep.weights, dContextHeads, dValuesAll);
  float* dScores = scratch.Take(n.G * n.T * n.S);
  kernels.SoftmaxGrad(keep.weights, dWeights, dScores, n.G * n.T, n.S, s.scale);
  float* dQ = scratch.Take(n.N * n.d);
  Gemm(n.G, n.T, n.dh, n.S, false, false, dScores, keys, dQ);
  float* dKeysAll = scratch.Take(n.G * n.S * n.dh);
  Gemm(n.G, n.S, n.dh, n.T, true, false, dScores, keep.q, dKeysAll);
  // returned keys and values: their consumer's gradient came first, the scores' and context's after
  if (dKeys) AddEarlier(dKeys, dKeysAll, n.G * n.S * n.dh);
  if (dValues) AddEarlier(dValues, dValuesAll, n.G * n.S * n.dh);
  float* dFresh[3] = {dQ, dKeysAll, dValuesAll};
  if (n.P > 0) {
    float* dK = scratch.Take(n.N * n.d);
    float* dV = scratch.Take(n.N * n.d);
    SplitKeys(dKeysAll, n, g.cacheKeys, dK);
    SplitKeys(dValuesAll, n, g.cacheValues, dV);
    dFresh[1] = dK;
    dFresh[2] = dV;
  }

  // q, k, v = linear(a1, slice(c_attn)), walked backwards: v, k, q; a1's gradient ((v + k) + q)
  float* a1 = scratch.Take(n.N * n.d);
  NormOutput(keep.normed1, w.ln1Gain, w.ln1Bias, a1, n.N, n.d);
  float* part = scratch.Take(n.d * n.d);
  float* dProjected = scratch.Take(n.N * n.d);
  float* dPart = scratch.Take(n.d * n.d);
  float* dPartBias = scratch.Take(n.d);
  float* dA1 = scratch.Take(n.N * n.d);
  float* dA1Part = scratch.Take(n.N * n.d);
  for (int j = 2; j >= 0; j--) {
    FromHeads(dFresh[j], n, dProjected);
    if (g.attnBias) {
      SumRows(dProjected, n.N, n.d, dPartBias);
      PutColumns(dPartBias, 1, n.d, 3 * n.d, j * n.d, g.attnBias);
    }
    Columns(w.attnWeight, n.d, 3 * n.d, j * n.d, n.d, part);
    if (j == 2) {
      Gemm(1, n.N, n.d, n.d, false, true, dProjected, part, dA1);
    } else {
      Gemm(1, n.N, n.d, n.d, false, true, dProjected, part, dA1Part);
      AddEarlier(dA1, dA1Part, n.N * n.d);
      std::swap(dA1, dA1Part);
    }
    if (g.attnWeight) {
      Gemm(1, n.d, n.d, n.N, true, false, a1, dProjected, dPart);
      PutColumns(dPart, n.d, n.d, 3 * n.d, j * n.d, g.attnWeight);
    }
  }
  float* dxNorm1 = scratch.Take(n.N * n.d);
  float* dGain1 = g.ln1Gain ? g.ln1Gain : scratch.Take(n.d);
  kernels.NormGrad(dA1, keep.normed1, keep.rstd1, w.ln1Gain, dxNorm1, dGain1, g.ln1Bias, n.N, n.d, true);
  // x's gradient: the residual's first, then ln_1's
  if (g.x) Add(dMid, dxNorm1, g.x, n.N * n.d);
}

}  // namespace spo
