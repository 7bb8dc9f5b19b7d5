// One GPT-2 block (pre-LayerNorm causal self-attention and a GELU MLP, packages/model/src/gpt2.ts),
// forward and backward, each in one call: the products by the BLAS (blas.h) and everything between
// them by the fused kernels (elementwise.h), with no TensorFlow.js kernel launched in between. Every
// product is the cblas_sgemm call, and every sum is taken in the order, that the composed TensorFlow.js
// ops of gpt2.ts (with the fused kernels) make and take, so values and gradients are theirs bit for bit
// (packages/model/src/gpt2-fused-block.test.ts checks it).
#pragma once
#include <cstdint>

namespace spo {

// B rows of T new tokens after P cached ones (S = P + T keys), width d, H heads; the attention mask is
// [maskOuter, T, S] (maskOuter 1 or B), added to every head; scale = 1/sqrt(d/H).
struct Gpt2BlockShape {
  int64_t B, T, d, H, P, maskOuter;
  double eps, scale;
};

// Hugging Face GPT-2's layout: ln_1, attn.c_attn [d, 3d] (q, k, v), attn.c_proj, ln_2, mlp.c_fc [d, 4d],
// mlp.c_proj [4d, d], each weight and bias.
struct Gpt2BlockWeights {
  const float *ln1Gain, *ln1Bias, *attnWeight, *attnBias, *projWeight, *projBias, *ln2Gain, *ln2Bias, *fcWeight,
      *fcBias, *mlpProjWeight, *mlpProjBias;
};

// What the backward pass needs of the forward's intermediates, in one float array of
// Gpt2BlockSavedFloats(shape): LayerNorm 1's x̂ and 1/σ, the queries by head, the attention weights, the
// heads' outputs merged, LayerNorm 2's x̂ and 1/σ, the MLP's input to GELU and its output.
int64_t Gpt2BlockSavedFloats(const Gpt2BlockShape& s);

// y [B, T, d]; keys and values [B, H, S, dh] (the cache's, then the new tokens'; null: not returned);
// saved null when no backward pass will follow.
void Gpt2BlockForward(const Gpt2BlockShape& s, const Gpt2BlockWeights& w, const float* x, const float* mask,
                      const float* cacheKeys, const float* cacheValues, float* y, float* keys, float* values,
                      float* saved);

// The gradients wanted (null: not computed): the input's, each parameter's (Gpt2BlockWeights' order),
// and the cached keys' and values' [B, H, P, dh].
struct Gpt2BlockGrads {
  float *x, *ln1Gain, *ln1Bias, *attnWeight, *attnBias, *projWeight, *projBias, *ln2Gain, *ln2Bias, *fcWeight, *fcBias,
      *mlpProjWeight, *mlpProjBias, *cacheKeys, *cacheValues;
};

// From dy [B, T, d] and, when the returned keys and values feed later work, their gradients (null: none).
// Needs T > 1 (one new token takes the forward pass's single q/k/v product, which has no backward here).
void Gpt2BlockBackward(const Gpt2BlockShape& s, const Gpt2BlockWeights& w, const float* saved, const float* keys,
                       const float* values, const float* dy, const float* dKeys, const float* dValues,
                       const Gpt2BlockGrads& g);

}  // namespace spo
