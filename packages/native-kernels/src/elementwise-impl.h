// The fused kernels' arithmetic (elementwise.h) for vectors of W lanes, compiled once per instruction
// set (elementwise.cc: W = 4 for any processor; elementwise-avx2.cc: W = 8), each build a table of them. Every expression is the
// one the committed reports were computed with, lane by lane: changing an operation's order changes
// rounding, and so every number after it. What changed since is only how the work is scheduled, never
// what is computed: elementwise loops run W lanes at a time with the same scalar expression (simd.h),
// and a row's sum in double (LayerNorm's mean, a softmax's total) is still added in order, with up to
// four rows' sums interleaved, which hides an add's latency without reordering any one of them.
#pragma once
#include <cmath>

#include "elementwise.h"
#include "simd.h"

namespace spo {
namespace {

constexpr float kGeluC = 0.7978845608f;  // sqrt(2/π)
constexpr float kGeluA = 0.044715f;

template <int W>
struct Lanewise {
  using L = Lanes<W>;
  using F = typename L::F;

  // ---- LayerNorm / RMSNorm ------------------------------------------------------------------------
  template <int R>
  static void NormRows(const float* __restrict x, const float* __restrict gain, const float* __restrict bias,
                       float* __restrict y, float* __restrict normed, float* __restrict rstd, int64_t d, double eps,
                       bool centred) {
    double mean[R] = {}, squares[R] = {};
    if (centred) {
      for (int64_t j = 0; j < d; j++)
        for (int k = 0; k < R; k++) mean[k] += x[k * d + j];
      for (int k = 0; k < R; k++) mean[k] /= double(d);
    }
    for (int64_t j = 0; j < d; j++)
      for (int k = 0; k < R; k++) {
        const double u = double(x[k * d + j]) - mean[k];
        squares[k] += u * u;
      }
    for (int k = 0; k < R; k++) {
      const float r = float(1.0 / std::sqrt(squares[k] / double(d) + eps));
      rstd[k] = r;
      const float* __restrict xi = x + k * d;
      float* __restrict ni = normed + k * d;
      float* __restrict yi = y + k * d;
      const double m = mean[k];
      for (int64_t j = 0; j < d; j++) ni[j] = float(double(xi[j]) - m) * r;
      if (bias) {
        for (int64_t j = 0; j < d; j++) yi[j] = ni[j] * gain[j] + bias[j];
      } else {
        for (int64_t j = 0; j < d; j++) yi[j] = ni[j] * gain[j];
      }
    }
  }

  static void Norm(const float* x, const float* gain, const float* bias, float* y, float* normed, float* rstd,
                   int64_t rows, int64_t d, double eps, bool centred) {
    int64_t i = 0;
    for (; i + 4 <= rows; i += 4)
      NormRows<4>(x + i * d, gain, bias, y + i * d, normed + i * d, rstd + i, d, eps, centred);
    for (; i < rows; i++) NormRows<1>(x + i * d, gain, bias, y + i * d, normed + i * d, rstd + i, d, eps, centred);
  }

  template <int R>
  static void NormGradRows(const float* __restrict dy, const float* __restrict normed, const float* __restrict rstd,
                           const float* __restrict gain, float* __restrict dx, double* __restrict gainSum,
                           double* __restrict biasSum, int64_t d, bool centred) {
    double meanG[R] = {}, meanGN[R] = {};
    for (int64_t j = 0; j < d; j++)
      for (int k = 0; k < R; k++) {
        const double g = double(dy[k * d + j]) * gain[j];
        meanG[k] += g;
        meanGN[k] += g * normed[k * d + j];
      }
    // each column's sums over rows, row after row
    for (int k = 0; k < R; k++)
      for (int64_t j = 0; j < d; j++) {
        gainSum[j] += double(dy[k * d + j]) * normed[k * d + j];
        biasSum[j] += dy[k * d + j];
      }
    for (int k = 0; k < R; k++) {
      const double mg = centred ? meanG[k] / double(d) : 0.0;
      const double mgn = meanGN[k] / double(d);
      const double r = rstd[k];
      const float* __restrict dyi = dy + k * d;
      const float* __restrict ni = normed + k * d;
      float* __restrict dxi = dx + k * d;
      for (int64_t j = 0; j < d; j++) dxi[j] = float(r * (double(dyi[j]) * gain[j] - mg - ni[j] * mgn));
    }
  }

  static void NormGrad(const float* dy, const float* normed, const float* rstd, const float* gain, float* dx,
                       float* dgain, float* dbias, int64_t rows, int64_t d, bool centred) {
    double* gainSum = KernelDoubles(2 * d);
    double* biasSum = gainSum + d;
    for (int64_t j = 0; j < 2 * d; j++) gainSum[j] = 0.0;
    int64_t i = 0;
    for (; i + 4 <= rows; i += 4)
      NormGradRows<4>(dy + i * d, normed + i * d, rstd + i, gain, dx + i * d, gainSum, biasSum, d, centred);
    for (; i < rows; i++)
      NormGradRows<1>(dy + i * d, normed + i * d, rstd + i, gain, dx + i * d, gainSum, biasSum, d, centred);
    for (int64_t j = 0; j < d; j++) {
      dgain[j] = float(gainSum[j]);
      if (dbias) dbias[j] = float(biasSum[j]);
    }
  }

  // ---- activations --------------------------------------------------------------------------------
  static float ExpOf(float x) { return spo::Exp(x); }
  static F ExpOf(F x) { return L::Exp(x); }

  // σ(2c·(x + a·x³)) as 1/(1 + e^(−2c·(x + a·x³))), for one float or W lanes
  template <class T>
  static T GeluSigmoid(T v) {
    return 1.0f / (1.0f + ExpOf(-2.0f * kGeluC * (v + kGeluA * v * v * v)));
  }
  template <class T>
  static T GeluSlope(T v, T s) {
    return s + v * s * (1.0f - s) * 2.0f * kGeluC * (1.0f + 3.0f * kGeluA * v * v);
  }

  static void Gelu(const float* __restrict x, float* __restrict y, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      const F v = L::Load(x + i);
      L::Store(y + i, v * GeluSigmoid(v));
    }
    for (; i < n; i++) y[i] = x[i] * GeluSigmoid(x[i]);
  }

  static void BiasGelu(float* __restrict hidden, const float* __restrict bias, float* __restrict activated,
                       int64_t rows, int64_t cols) {
    for (int64_t i = 0; i < rows; i++) {
      float* __restrict h = hidden + i * cols;
      float* __restrict a = activated + i * cols;
      int64_t j = 0;
      for (; j + W <= cols; j += W) {
        const F v = L::Load(h + j) + L::Load(bias + j);
        L::Store(h + j, v);
        L::Store(a + j, v * GeluSigmoid(v));
      }
      for (; j < cols; j++) {
        h[j] = h[j] + bias[j];
        a[j] = h[j] * GeluSigmoid(h[j]);
      }
    }
  }

  static void GeluGrad(const float* __restrict x, const float* __restrict dy, float* __restrict dx, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      const F v = L::Load(x + i);
      L::Store(dx + i, L::Load(dy + i) * GeluSlope(v, GeluSigmoid(v)));
    }
    for (; i < n; i++) dx[i] = dy[i] * GeluSlope(x[i], GeluSigmoid(x[i]));
  }

  static void Swiglu(const float* __restrict gate, const float* __restrict up, float* __restrict y, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      const F g = L::Load(gate + i);
      L::Store(y + i, g / (1.0f + ExpOf(-g)) * L::Load(up + i));
    }
    for (; i < n; i++) y[i] = gate[i] / (1.0f + spo::Exp(-gate[i])) * up[i];
  }

  static void SwigluGrad(const float* __restrict gate, const float* __restrict up, const float* __restrict dy,
                         float* __restrict dgate, float* __restrict dup, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      const F g = L::Load(gate + i), d = L::Load(dy + i);
      const F s = 1.0f / (1.0f + ExpOf(-g));
      L::Store(dup + i, d * g * s);
      L::Store(dgate + i, d * L::Load(up + i) * s * (1.0f + g * (1.0f - s)));
    }
    for (; i < n; i++) {
      const float g = gate[i];
      const float s = 1.0f / (1.0f + spo::Exp(-g));
      dup[i] = dy[i] * g * s;
      dgate[i] = dy[i] * up[i] * s * (1.0f + g * (1.0f - s));
    }
  }

  // The last n < W elements of a row as one vector (the rest zeros), and back: a lane computes what the
  // scalar code would, so a short row's tail need not take the slower scalar path.
  static F LoadTail(const float* p, int64_t n) {
    float lanes[W] = {};
    for (int64_t i = 0; i < n; i++) lanes[i] = p[i];
    return L::Load(lanes);
  }
  static void StoreTail(float* p, F v, int64_t n) {
    float lanes[W];
    L::Store(lanes, v);
    for (int64_t i = 0; i < n; i++) p[i] = lanes[i];
  }

  // e[j] = Exp(e[j] − top) over a row
  static void ExpShifted(float* __restrict e, float top, int64_t n) {
    int64_t j = 0;
    for (; j + W <= n; j += W) L::Store(e + j, ExpOf(L::Load(e + j) - top));
    if (j < n) StoreTail(e + j, ExpOf(LoadTail(e + j, n - j) - top), n - j);
  }

  // ---- attention softmax --------------------------------------------------------------------------
  // The row's largest value, as `if (r[j] > top) top = r[j]` in order finds it: a NaN never, and of +0
  // and −0 maybe the other, which the one use, Exp(r[j] − top), cannot tell apart (x − 0 and x + 0 differ
  // only for x = −0, and Exp(−0) = Exp(+0) = 1).
  static float RowMax(const float* __restrict r, int64_t n) {
    float top = -INFINITY;
    int64_t j = 0;
    if (n >= W) {
      F lanes = L::Splat(-INFINITY);
      for (; j + W <= n; j += W) {
        const F v = L::Load(r + j);
        lanes = L::Select(v > lanes, v, lanes);
      }
      float each[W];
      L::Store(each, lanes);
      for (int k = 0; k < W; k++)
        if (each[k] > top) top = each[k];
    }
    for (; j < n; j++)
      if (r[j] > top) top = r[j];
    return top;
  }

  static void MaskedSoftmax(const float* __restrict s, const float* __restrict mask, float* __restrict y, int64_t outer,
                            int64_t heads, int64_t inner, int64_t width, float scale, int64_t maskOuter) {
    const int64_t block = inner * width;
    float* rows = KernelFloats(4 * width);
    for (int64_t o = 0; o < outer; o++) {
      const float* m = mask ? mask + (maskOuter == 1 ? 0 : o * block) : nullptr;
      for (int64_t h = 0; h < heads; h++) {
        const int64_t at = (o * heads + h) * block;
        for (int64_t t0 = 0; t0 < inner; t0 += 4) {
          const int R = int(inner - t0 < 4 ? inner - t0 : 4);
          double total[4] = {};
          for (int k = 0; k < R; k++) {
            const int64_t t = t0 + k;
            const float* si = s + at + t * width;
            float* __restrict r = rows + k * width;
            if (m) {
              const float* mi = m + t * width;
              for (int64_t j = 0; j < width; j++) r[j] = si[j] * scale + mi[j];
            } else {
              for (int64_t j = 0; j < width; j++) r[j] = si[j] * scale;
            }
            float top = RowMax(r, width);
            if (top == -INFINITY) top = 0;  // every key masked by −inf: weights 0, not NaN
            ExpShifted(r, top, width);
          }
          // the rows' totals in double, each in order, interleaved
          for (int64_t j = 0; j < width; j++)
            for (int k = 0; k < R; k++) total[k] += rows[k * width + j];
          for (int k = 0; k < R; k++) {
            const float inv = total[k] > 0 ? float(1.0 / total[k]) : 0.0f;
            const float* __restrict r = rows + k * width;
            float* __restrict yi = y + at + (t0 + k) * width;
            for (int64_t j = 0; j < width; j++) yi[j] = r[j] * inv;
          }
        }
      }
    }
  }

  template <int R>
  static void SoftmaxGradRows(const float* __restrict y, const float* __restrict dy, float* __restrict ds,
                              int64_t width, double scale) {
    double dot[R] = {};
    for (int64_t j = 0; j < width; j++)
      for (int k = 0; k < R; k++) dot[k] += double(dy[k * width + j]) * y[k * width + j];
    for (int k = 0; k < R; k++) {
      const float* __restrict yi = y + k * width;
      const float* __restrict dyi = dy + k * width;
      float* __restrict dsi = ds + k * width;
      const double dk = dot[k];
      for (int64_t j = 0; j < width; j++) dsi[j] = float(scale * yi[j] * (dyi[j] - dk));
    }
  }

  static void SoftmaxGrad(const float* y, const float* dy, float* ds, int64_t rows, int64_t width, double scale) {
    int64_t i = 0;
    for (; i + 4 <= rows; i += 4) SoftmaxGradRows<4>(y + i * width, dy + i * width, ds + i * width, width, scale);
    for (; i < rows; i++) SoftmaxGradRows<1>(y + i * width, dy + i * width, ds + i * width, width, scale);
  }

  // ---- log-softmax at the targets -----------------------------------------------------------------
  static void TokenLogProbs(const float* __restrict logits, const int32_t* __restrict targets, float* __restrict out,
                            float* __restrict lse, int64_t rows, int64_t vocab) {
    float* exps = KernelFloats(4 * vocab);
    for (int64_t i0 = 0; i0 < rows; i0 += 4) {
      const int R = int(rows - i0 < 4 ? rows - i0 : 4);
      float top[4];
      for (int k = 0; k < R; k++) {
        const float* li = logits + (i0 + k) * vocab;
        float t = -INFINITY;
        for (int64_t v = 0; v < vocab; v++) t = li[v] > t ? li[v] : t;
        top[k] = t;
        float* __restrict e = exps + k * vocab;
        for (int64_t v = 0; v < vocab; v++) e[v] = li[v];
        ExpShifted(e, t, vocab);
      }
      double total[4] = {};
      for (int64_t v = 0; v < vocab; v++)
        for (int k = 0; k < R; k++) total[k] += exps[k * vocab + v];
      for (int k = 0; k < R; k++) {
        const int64_t i = i0 + k;
        const double l = double(top[k]) + std::log(total[k]);
        lse[i] = float(l);
        out[i] = float(double(logits[i * vocab + targets[i]]) - l);
      }
    }
  }

  static void TokenLogProbsGrad(const float* __restrict logits, const int32_t* __restrict targets,
                                const float* __restrict lse, const float* __restrict dy, float* __restrict dlogits,
                                int64_t rows, int64_t vocab) {
    for (int64_t i = 0; i < rows; i++) {
      const float* li = logits + i * vocab;
      float* __restrict di = dlogits + i * vocab;
      const float g = dy[i], l = lse[i];
      int64_t v = 0;
      for (; v + W <= vocab; v += W) L::Store(di + v, -g * ExpOf(L::Load(li + v) - l));
      if (v < vocab) StoreTail(di + v, -g * ExpOf(LoadTail(li + v, vocab - v) - l), vocab - v);
      di[targets[i]] += g;
    }
  }
};

template <int W>
ElementwiseKernels KernelTable() {
  using K = Lanewise<W>;
  return {K::Norm,   K::NormGrad,   K::Gelu,          K::GeluGrad,    K::BiasGelu,     K::Swiglu,
          K::SwigluGrad, K::MaskedSoftmax, K::SoftmaxGrad, K::TokenLogProbs, K::TokenLogProbsGrad};
}

}  // namespace
}  // namespace spo
