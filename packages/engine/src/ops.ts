// Tensor ops that route around TensorFlow.js traps measured on the WASM backend (shared/ENGINE-NOTES.md):
// matrix products go to the native BLAS when it loaded (native-matmul.ts); otherwise transpose-flag and
// batched matmuls, ~10x slower than plain 2-D matmul there, are avoided (batched ones go through a
// depthwise convolution). gather has no usable gradient (UnsortedSegmentSum is missing), logSigmoid's
// gradient crashes on intermediate tensors, and row reductions and LayerNorm's autodiff are slow.
// Every model and loss uses these instead of the raw tfjs ops.
//
// Per backend:
//   wasm      matrix products by the native BLAS when loaded (nativeMatMulOn), else XNNPACK 2-D matmul
//             with explicit transposes, and batched products as a depthwise convolution (groupedMatMul)
//   webgpu, tensorflow, cpu
//             their own tf.matMul, batched and transposed as they come
//   every one gatherND lookups with a scatterND gradient, the written-out LayerNorm / RMSNorm / GELU
//             gradients, logSigmoid as −softplus(−x): correct everywhere, and faster or the only
//             working form on wasm
//   wasm, fused (fused-kernels.ts, when fusedKernelsOn): LayerNorm, RMSNorm, GELU, SwiGLU, the masked
//             softmax and log-softmax at targets, forward and backward, one native call each
// backends.test.ts checks every op on each backend the machine runs against cpu (which takes every
// fallback), values and gradients.
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsOn, runFused } from './fused-kernels.js';
import { nativeMatMul, nativeMatMulOn } from './native-matmul.js';

/** tf.customGrad types its body as variadic (Tensor | GradSaveFunc)[]; ours name their arguments. */
type CustomGradientBody = Parameters<typeof tf.customGrad>[0];

/**
 * a [m,k] @ b [k,n]. With the native BLAS (native-matmul.ts) the gradient's products take their
 * transposes for free; on the backend's matmul it transposes explicitly and calls plain 2-D matmul.
 * When b is a constant (by default: a frozen variable, as LoRA leaves the weights it does not adapt)
 * the gradient is a's alone; tfjs would compute b's and drop it, a product as large as the forward.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, bConstant = isFrozen(b)): tf.Tensor2D {
  return plainProduct(a, b, bConstant);
}

/** A variable that no gradient updates. */
export function isFrozen(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && !t.trainable;
}

/**
 * a [m,k] @ bᵀ for b [n,k] (an output head stored [vocab, d]). With the native BLAS the transpose is a
 * flag of the product instead of a copy of b each call (each token decoded, each forward); the numbers
 * are matMul2d(a, transpose(b))'s bit for bit (the BLAS packs the same operand either way; tested).
 * Elsewhere it is that composition.
 */
export function matMulTransposedRight(a: tf.Tensor2D, b: tf.Tensor2D, bConstant = isFrozen(b)): tf.Tensor2D {
  if (!nativeMatMulOn()) return matMul2d(a, tf.transpose(b), bConstant);
  return transposedProduct(a, b, bConstant);
}

type Product = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * A product as a custom gradient: `value` and the gradients for a (from dy and b) and for b (from a and
 * dy); when b is constant only a's is computed.
 */
function differentiableProduct(
  value: Product,
  gradientForA: (dy: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  gradientForB: (a: tf.Tensor, dy: tf.Tensor) => tf.Tensor,
): (a: tf.Tensor2D, b: tf.Tensor2D, bConstant: boolean) => tf.Tensor2D {
  const both = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: value(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [gradientForA(dy, saved[1]), gradientForB(saved[0], dy)],
    };
  }) as CustomGradientBody) as unknown as Product;
  const constantRight = (a: tf.Tensor, b: tf.Tensor) =>
    (
      tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
        save([b]);
        return {
          value: value(x, b),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [gradientForA(dy, saved[0])],
        };
      }) as CustomGradientBody) as (x: tf.Tensor) => tf.Tensor
    )(a);
  return (a, b, bConstant) => (bConstant ? constantRight(a, b) : both(a, b)) as tf.Tensor2D;
}

const plainProduct = differentiableProduct(
  (a, b) => (nativeMatMulOn() ? nativeMatMul(a, b) : tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)),
  productWithTransposedRight,
  productWithTransposedLeft,
);

// native BLAS only. da = dy @ b; db = (aᵀ @ dy)ᵀ, transposed after as the composition does: dyᵀ @ a in
// one product would sum the same terms with the BLAS's roles swapped, which rounds differently
const transposedProduct = differentiableProduct(
  (a, b) => nativeMatMul(a, b, false, true),
  (dy, b) => nativeMatMul(dy, b),
  (a, dy) => tf.transpose(nativeMatMul(a, dy, true)),
);

/** dy @ bᵀ, matMul2d's gradient for a. */
function productWithTransposedRight(dy: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return nativeMatMulOn()
    ? nativeMatMul(dy, b, false, true)
    : tf.matMul(dy as tf.Tensor2D, tf.transpose(b as tf.Tensor2D));
}

/** aᵀ @ dy, matMul2d's gradient for b. */
function productWithTransposedLeft(a: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return nativeMatMulOn()
    ? nativeMatMul(a, dy, true, false)
    : tf.matMul(tf.transpose(a as tf.Tensor2D), dy as tf.Tensor2D);
}

/**
 * Column sums of x [rows, n]. On WASM a reduction over rows is a transpose and then a sum; with the
 * native BLAS it is one product, ones [1, rows] @ x.
 */
function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  if (!nativeMatMulOn()) return tf.sum(x, 0);
  return tf.reshape(nativeMatMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]);
}

/** y [rows, n] + bias [n], whose bias gradient is sumRows. */
const addBias: (y: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D = tf.customGrad(((y: tf.Tensor, bias: tf.Tensor) => ({
  value: tf.add(y, bias),
  gradFunc: (dy: tf.Tensor) => [dy, sumRows(dy as tf.Tensor2D)],
})) as CustomGradientBody) as any;

/** x [..., in] @ w [in, out] (+ bias [out]) through matMul2d. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const inner = x.shape[x.shape.length - 1];
  const outer = x.shape.slice(0, -1);
  let y = matMul2d(tf.reshape(x, [-1, inner]) as tf.Tensor2D, w);
  if (bias) y = addBias(y, bias);
  return tf.reshape(y, [...outer, w.shape[1]]);
}

/**
 * LayerNorm over the last axis, (x − mean) / sqrt(var + eps) · gain + bias, with the gradient written
 * out (Ba et al. 2016) instead of autodiff's chain of a dozen broadcasting ops:
 *   x̂ = (x − μ)·r,  r = 1/sqrt(σ² + eps),  g = dy·gain
 *   dx = r·(g − mean(g) − x̂·mean(g·x̂)),  dgain = Σ_rows dy·x̂,  dbias = Σ_rows dy
 */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor {
  const d = x.shape[x.shape.length - 1];
  const rows = tf.reshape(x, [-1, d]) as tf.Tensor2D;
  if (fusedKernelsOn()) return tf.reshape(fusedNorm(eps, true)(rows, gain, bias), x.shape);
  const normalise = tf.customGrad(((input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const centered = tf.sub(input, tf.mean(input, -1, true));
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
    const normed = tf.mul(centered, r);
    save([normed, r, g]);
    return {
      value: tf.add(tf.mul(normed, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sNormed, sR, sGain] = saved;
        const dNormed = tf.mul(dy, sGain);
        const meanD = tf.mean(dNormed, -1, true);
        const meanDN = tf.mean(tf.mul(dNormed, sNormed), -1, true);
        const dx = tf.mul(sR, tf.sub(tf.sub(dNormed, meanD), tf.mul(sNormed, meanDN)));
        return [dx, sumRows(tf.mul(dy, sNormed) as tf.Tensor2D), sumRows(dy as tf.Tensor2D)];
      },
    };
  }) as CustomGradientBody);
  return tf.reshape(normalise(rows, gain, bias) as tf.Tensor, x.shape);
}

/**
 * RMSNorm over the last axis (Zhang & Sennrich 2019), x · r · gain with r = 1/sqrt(mean(x²) + eps), as
 * Llama uses it, with the gradient written out like layerNorm's:
 *   x̂ = x·r,  g = dy·gain,  dx = r·(g − x̂·mean(g·x̂)),  dgain = Σ_rows dy·x̂
 */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor1D, eps: number): tf.Tensor {
  const d = x.shape[x.shape.length - 1];
  const rows = tf.reshape(x, [-1, d]) as tf.Tensor2D;
  if (fusedKernelsOn()) return tf.reshape(fusedNorm(eps, false)(rows, gain), x.shape);
  const normalise = tf.customGrad(((input: tf.Tensor, g: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(input), -1, true), eps));
    const normed = tf.mul(input, r);
    save([normed, r, g]);
    return {
      value: tf.mul(normed, g),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sNormed, sR, sGain] = saved;
        const dNormed = tf.mul(dy, sGain);
        const dx = tf.mul(sR, tf.sub(dNormed, tf.mul(sNormed, tf.mean(tf.mul(dNormed, sNormed), -1, true))));
        return [dx, sumRows(tf.mul(dy, sNormed) as tf.Tensor2D)];
      },
    };
  }) as CustomGradientBody);
  return tf.reshape(normalise(rows, gain) as tf.Tensor, x.shape);
}

/** layerNorm (centred) or rmsNorm over the rows of a 2-D input, forward and backward by the fused kernels. */
function fusedNorm(eps: number, centred: boolean): (...inputs: tf.Tensor[]) => tf.Tensor {
  const c = centred ? 1 : 0;
  return tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, gain, bias] = args as tf.Tensor[];
    const [y, normed, rstd] = runFused('SpoNorm', { x, gain, ...(bias ? { bias } : {}) }, { eps, centred: c });
    save([normed, rstd, gain]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [n, r, g]: tf.Tensor[]) =>
        runFused('SpoNormGrad', { dy, normed: n, rstd: r, gain: g }, { centred: c }),
    };
  }) as CustomGradientBody) as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/** SiLU (swish), x · σ(x), the gate of Llama's SwiGLU feed-forward. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** Llama's SwiGLU, silu(gate) · up (Shazeer 2020); one fused kernel each way when fusedKernelsOn(). */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return fusedKernelsOn() ? fusedSwiglu(gate, up) : tf.mul(silu(gate), up);
}

const fusedSwiglu: (gate: tf.Tensor, up: tf.Tensor) => tf.Tensor = tf.customGrad(((
  gate: tf.Tensor,
  up: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([gate, up]);
  return {
    value: runFused('SpoSwiglu', { gate, up })[0],
    gradFunc: (dy: tf.Tensor, [g, u]: tf.Tensor[]) => runFused('SpoSwigluGrad', { gate: g, up: u, dy }),
  };
}) as CustomGradientBody) as any;

/**
 * softmax(scale · scores + mask) over the last axis, the attention's weights; `mask` [1 or B, 1, ..., T, S]
 * is a constant added to every head of scores [B, ..., T, S]. One fused kernel each way when
 * fusedKernelsOn(): ds = scale · y · (dy − Σ dy · y).
 */
export function maskedSoftmax(scores: tf.Tensor, scale: number, mask: tf.Tensor): tf.Tensor {
  if (!fusedKernelsOn() || !maskBroadcastsOverHeads(scores, mask))
    return tf.softmax(tf.add(tf.mul(scores, scale), mask));
  return tf.customGrad(((s: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y] = runFused('SpoMaskedSoftmax', { scores: s, mask }, { scale });
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) => runFused('SpoSoftmaxGrad', { y: sy, dy }, { scale }),
    };
  }) as CustomGradientBody)(scores) as tf.Tensor;
}

/** The fused kernel's layout: same rank, the last two axes equal, every axis between the first and them 1. */
function maskBroadcastsOverHeads(scores: tf.Tensor, mask: tf.Tensor): boolean {
  const r = scores.rank;
  if (mask.rank !== r || r < 3 || mask.dtype !== 'float32') return false;
  if (mask.shape[0] !== 1 && mask.shape[0] !== scores.shape[0]) return false;
  if (mask.shape[r - 1] !== scores.shape[r - 1] || mask.shape[r - 2] !== scores.shape[r - 2]) return false;
  return mask.shape.slice(1, r - 2).every((n) => n === 1);
}

/**
 * g independent products a [g, m, k] @ b [g, k, n] → [g, m, n]. On WASM, tfjs's BatchMatMul kernel runs
 * a scalar loop for any batch above 1 (~2 GFLOP/s), while a depthwise convolution goes to XNNPACK's
 * grouped GEMM: with the g groups as channels, k as the image width, a filter of width k and n outputs
 * per channel, out[0, i, 0, c·n + j] = Σ_t a[c, i, t] · b[c, t, j]. Same numbers, ~3x faster there; other
 * backends use their own batched matmul.
 */
function groupedMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  const [g, m, k] = a.shape,
    n = b.shape[2];
  const image = tf.reshape(tf.transpose(a, [1, 2, 0]), [1, m, k, g]) as tf.Tensor4D;
  const filter = tf.reshape(tf.transpose(b, [1, 0, 2]), [1, k, g, n]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(image, filter, 1, 'valid');
  return tf.transpose(tf.reshape(out, [m, g, n]), [1, 0, 2]) as tf.Tensor3D;
}

/** a [..., m, k] @ b [..., k, n] for equal leading dims; forward and gradient both through groupedMatMul. */
export const batchMatMul: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(((
  a: tf.Tensor,
  b: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([a, b]);
  const lead = a.shape.slice(0, -2);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const a3 = tf.reshape(a, [-1, m, k]) as tf.Tensor3D,
    b3 = tf.reshape(b, [-1, k, n]) as tf.Tensor3D;
  const value = tf.reshape(nativeMatMulOn() ? nativeMatMul(a3, b3) : groupedMatMul(a3, b3), [...lead, m, n]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      const dy3 = tf.reshape(dy, [-1, m, n]) as tf.Tensor3D;
      const a3 = tf.reshape(sa, [-1, m, k]) as tf.Tensor3D;
      const b3 = tf.reshape(sb, [-1, k, n]) as tf.Tensor3D;
      if (nativeMatMulOn())
        return [
          tf.reshape(nativeMatMul(dy3, b3, false, true), sa.shape),
          tf.reshape(nativeMatMul(a3, dy3, true, false), sb.shape),
        ];
      const da = tf.reshape(groupedMatMul(dy3, tf.transpose(b3, [0, 2, 1])), sa.shape);
      const db = tf.reshape(groupedMatMul(tf.transpose(a3, [0, 2, 1]), dy3), sb.shape);
      return [da, db];
    },
  };
}) as CustomGradientBody) as any;

/**
 * a [..., m, k] @ b [..., n, k]ᵀ → [..., m, n] (attention scores against keys as they are stored). With
 * the native BLAS the transpose is a flag; otherwise it is an explicit copy and batchMatMul.
 *   da = dy @ b,  db = dyᵀ @ a
 */
export const batchMatMulTransposed: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(((
  a: tf.Tensor,
  b: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([a, b]);
  const lead = a.shape.slice(0, -2);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 2];
  const a3 = tf.reshape(a, [-1, m, k]) as tf.Tensor3D,
    b3 = tf.reshape(b, [-1, n, k]) as tf.Tensor3D;
  const value = tf.reshape(
    nativeMatMulOn() ? nativeMatMul(a3, b3, false, true) : groupedMatMul(a3, tf.transpose(b3, [0, 2, 1])),
    [...lead, m, n],
  );
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      const dy3 = tf.reshape(dy, [-1, m, n]) as tf.Tensor3D;
      const a3 = tf.reshape(sa, [-1, m, k]) as tf.Tensor3D;
      const b3 = tf.reshape(sb, [-1, n, k]) as tf.Tensor3D;
      if (nativeMatMulOn())
        return [tf.reshape(nativeMatMul(dy3, b3), sa.shape), tf.reshape(nativeMatMul(dy3, a3, true, false), sb.shape)];
      return [
        tf.reshape(groupedMatMul(dy3, b3), sa.shape),
        tf.reshape(groupedMatMul(tf.transpose(dy3, [0, 2, 1]), a3), sb.shape),
      ];
    },
  };
}) as CustomGradientBody) as any;

const GELU_C = Math.sqrt(2 / Math.PI),
  GELU_A = 0.044715;

/**
 * GPT-2's "gelu_new", 0.5·x·(1 + tanh(c·(x + a·x³))), computed as the identical x·σ(2c·(x + a·x³)) with
 * a hand-written gradient: on WASM, tf.pow and tf.tanh are scalar libm loops (~7x slower than Mul and
 * Sigmoid), and autodiff of the plain formula runs pow twice.
 *   d/dx = s + x·s·(1 − s)·2c·(1 + 3a·x²),  s = σ(2c·(x + a·x³))
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return fusedKernelsOn() ? fusedGelu(x) : composedGelu(x);
}

const fusedGelu: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: runFused('SpoGelu', { x })[0],
    gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => runFused('SpoGeluGrad', { x: sx, dy }),
  };
}) as CustomGradientBody) as any;

const composedGelu: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, 2 * GELU_C * GELU_A), 2 * GELU_C)));
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sx2, ss] = saved;
      const slope = tf.add(tf.mul(sx2, 6 * GELU_C * GELU_A), 2 * GELU_C);
      const local = tf.add(ss, tf.mul(tf.mul(sx, tf.mul(ss, tf.sub(1, ss))), slope));
      return [tf.mul(dy, local)];
    },
  };
}) as CustomGradientBody) as any;

/**
 * Rows of `table` [V, d] at `ids` (int32, any shape), by gatherND: on WASM tf.gather walks the rows
 * element by element (~10 ms for 2,048 rows of 128) where gatherND copies whole rows (~0.2 ms). The
 * gradient with respect to the table is a scatter-add of dy's rows (scatterND sums repeated ids),
 * because tf.gather's gradient needs the UnsortedSegmentSum kernel that WASM lacks.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const rows = tf.reshape(ids, [-1, 1]) as tf.Tensor2D;
  const [vocab, dim] = table.shape;
  const lookup = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([rows]);
    return {
      value: tf.gatherND(t, rows),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(saved[0], dy, [vocab, dim])],
    };
  }) as CustomGradientBody);
  return tf.reshape(lookup(table) as tf.Tensor, [...ids.shape, dim]);
}

/** log σ(x) = −softplus(−x): tf.logSigmoid's gradient crashes on intermediate tensors. */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/**
 * log-softmax(logits) [..., V] at integer `targets` [...]: the log-probability of each target token.
 * Fused when fusedKernelsOn(): lse = log Σ e^logits, out = logits[t] − lse, dlogits = dy · (onehot(t) −
 * softmax); otherwise logSoftmax and takeAlongLastAxis.
 */
export function targetLogProbs(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  if (!fusedKernelsOn()) return takeAlongLastAxis(tf.logSoftmax(logits), targets);
  const vocab = logits.shape[logits.shape.length - 1];
  const rows = tf.reshape(tf.cast(targets, 'int32'), [-1]);
  const scored = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [out, lse] = runFused('SpoTokenLogProbs', { logits: x, targets: rows });
    save([x, lse]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, [sx, sl]: tf.Tensor[]) =>
        runFused('SpoTokenLogProbsGrad', { logits: sx, targets: rows, lse: sl, dy }),
    };
  }) as CustomGradientBody)(tf.reshape(logits, [-1, vocab])) as tf.Tensor;
  return tf.reshape(scored, targets.shape);
}

/** Values of `x` [..., V] at integer `index` [...] along the last axis, via one-hot (gatherND has no gradient). */
export function takeAlongLastAxis(x: tf.Tensor, index: tf.Tensor): tf.Tensor {
  const depth = x.shape[x.shape.length - 1];
  return tf.sum(tf.mul(x, tf.cast(tf.oneHot(tf.cast(index, 'int32'), depth), 'float32')), -1);
}

/** x as a constant: its value, with no gradient flowing back (tfjs has no stopGradient op). */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as CustomGradientBody) as any;

/**
 * A function giving rows `rows` of any x [n, ...], as a product with a one-hot selection matrix
 * [rows.length, n] made once: exact (each output is one input times 1 plus zeros, for finite inputs) and
 * differentiable on WASM, where gather's gradient (UnsortedSegmentSum) is missing. The gradient, selectᵀ
 * @ dy, sums the rows that selected the same input.
 */
export function rowSelector(rows: readonly number[], n: number): (x: tf.Tensor) => tf.Tensor {
  const data = new Float32Array(rows.length * n);
  rows.forEach((r, j) => (data[j * n + r] = 1));
  return rowCombination(data, rows.length, n);
}

/**
 * A function giving W @ x for any x [n, ...] and a constant W [rows, n] made once (rowSelector's one-hot
 * selection, or 0/1 rows that sum groups of x's rows). The gradient is Wᵀ @ dy; W gets none (matMul2d
 * would compute one and throw it away). Values and gradient are matMul2d's own products.
 */
export function rowCombination(weights: Float32Array, rows: number, n: number): (x: tf.Tensor) => tf.Tensor {
  if (weights.length !== rows * n) throw new Error(`rowCombination: ${weights.length} weights for ${rows} x ${n}`);
  const w = tf.tensor2d(weights, [rows, n]);
  const product = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([w]);
    return {
      value: nativeMatMulOn() ? nativeMatMul(w, x) : tf.matMul(w, x as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => [productWithTransposedLeft(s, dy)],
    };
  }) as CustomGradientBody) as (x: tf.Tensor) => tf.Tensor;
  return (x) => {
    if (x.shape[0] !== n) throw new Error(`rowCombination: x has ${x.shape[0]} rows, the weights were made for ${n}`);
    const [, ...rest] = x.shape;
    return x.rank === 2 ? product(x) : tf.reshape(product(tf.reshape(x, [n, -1])), [rows, ...rest]);
  };
}
