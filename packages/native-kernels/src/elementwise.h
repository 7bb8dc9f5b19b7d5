// The fused transformer kernels as plain functions on float32 arrays: the N-API bindings
// (native-kernels.cc) call them on the WASM heap, and the fused GPT-2 block (gpt2-block.cc) calls them
// between its matrix products. Sums over a row accumulate in double; elementwise math is float32 with
// Exp (exp.h), so every machine and compiler rounds alike. No output may overlap an input.
#pragma once
#include <cstdint>

namespace spo {

struct ElementwiseKernels {
  // LayerNorm (centred) or RMSNorm over rows of d:
  //   centred: x̂ = (x − mean)·r, r = 1/sqrt(var + eps), y = x̂·gain + bias
  //   not:     x̂ = x·r, r = 1/sqrt(mean(x²) + eps), y = x̂·gain (bias null)
  void (*Norm)(const float* x, const float* gain, const float* bias, float* y, float* normed, float* rstd,
               int64_t rows, int64_t d, double eps, bool centred);

  // With g = dy·gain: centred dx = r·(g − mean(g) − x̂·mean(g·x̂)); not dx = r·(g − x̂·mean(g·x̂));
  // dgain = Σ_rows dy·x̂, dbias = Σ_rows dy (dbias null: not computed).
  void (*NormGrad)(const float* dy, const float* normed, const float* rstd, const float* gain, float* dx,
                   float* dgain, float* dbias, int64_t rows, int64_t d, bool centred);

  // GPT-2's tanh GELU, 0.5·x·(1 + tanh(c·(x + a·x³))) = x·σ(2c·(x + a·x³)), and its gradient
  // dx = dy·(s + x·s·(1 − s)·2c·(1 + 3a·x²)).
  void (*Gelu)(const float* x, float* y, int64_t n);
  void (*GeluGrad)(const float* x, const float* dy, float* dx, int64_t n);

  // A linear layer's bias, then GELU: hidden += bias (per column of rows × cols, in place), then
  // activated = gelu(hidden), in one pass.
  void (*BiasGelu)(float* hidden, const float* bias, float* activated, int64_t rows, int64_t cols);

  // Llama's SwiGLU y = gate·σ(gate)·up; dup = dy·silu(gate), dgate = dy·up·σ(g)·(1 + g·(1 − σ(g))).
  void (*Swiglu)(const float* gate, const float* up, float* y, int64_t n);
  void (*SwigluGrad)(const float* gate, const float* up, const float* dy, float* dgate, float* dup, int64_t n);

  // s and y are [outer, heads, inner·width]; mask is [maskOuter, inner·width] with maskOuter 1 or outer,
  // added to every head (null: no mask); y = softmax over each row of `width` of scale·s + mask.
  void (*MaskedSoftmax)(const float* s, const float* mask, float* y, int64_t outer, int64_t heads, int64_t inner,
                        int64_t width, float scale, int64_t maskOuter);

  // ds = scale·y·(dy − Σ_j dy·y) per row of `width`.
  void (*SoftmaxGrad)(const float* y, const float* dy, float* ds, int64_t rows, int64_t width, double scale);

  // lse = log Σ_v e^{logits}, out = logits[t] − lse (targets checked by the caller to lie in [0, vocab)).
  void (*TokenLogProbs)(const float* logits, const int32_t* targets, float* out, float* lse, int64_t rows,
                        int64_t vocab);

  // dlogits = dy·(onehot(t) − softmax).
  void (*TokenLogProbsGrad)(const float* logits, const int32_t* targets, const float* lse, const float* dy,
                            float* dlogits, int64_t rows, int64_t vocab);
};

// The kernels this processor runs: the 8-lane build where it has AVX2 (unless $SPO_KERNELS_PORTABLE is
// set, for a test that compares the two), else the 4-lane one; both compute the same bits.
const ElementwiseKernels& Elementwise();

// Arrays the kernels need for one call (a row's exponentials, a column's sums), kept between calls;
// defined once, outside the AVX2 build, so that no AVX2 code can stand in for the portable build's.
float* KernelFloats(int64_t n);
double* KernelDoubles(int64_t n);

}  // namespace spo
