// The optional fused kernels: the addon node-gyp built at install (build/Release), with the fused
// elementwise kernels and the whole GPT-2 block (its products by the BLAS @spo/native-matmul opened).
// When it is missing, loadNativeKernels says why and the engine keeps the composed TensorFlow.js ops.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ADDON_PATH = fileURLToPath(new URL('../build/Release/spo_native_kernels.node', import.meta.url));

/**
 * The kernels, each on the WASM heap: every argument after `heap` is a byte offset into it (−1 where an
 * operand is optional and absent) or a size. Each throws, touching nothing, when an operand would lie
 * outside the heap. The formulas are in src/native-kernels.cc.
 */
export interface NativeKernels {
  norm(
    heap: ArrayBuffer,
    x: number,
    gain: number,
    bias: number,
    y: number,
    normed: number,
    rstd: number,
    rows: number,
    d: number,
    eps: number,
    centred: number,
  ): void;
  normGrad(
    heap: ArrayBuffer,
    dy: number,
    normed: number,
    rstd: number,
    gain: number,
    dx: number,
    dgain: number,
    dbias: number,
    rows: number,
    d: number,
    centred: number,
  ): void;
  gelu(heap: ArrayBuffer, x: number, y: number, n: number): void;
  geluGrad(heap: ArrayBuffer, x: number, dy: number, dx: number, n: number): void;
  swiglu(heap: ArrayBuffer, gate: number, up: number, y: number, n: number): void;
  swigluGrad(heap: ArrayBuffer, gate: number, up: number, dy: number, dgate: number, dup: number, n: number): void;
  maskedSoftmax(
    heap: ArrayBuffer,
    scores: number,
    mask: number,
    y: number,
    outer: number,
    heads: number,
    inner: number,
    width: number,
    scale: number,
    maskOuter: number,
  ): void;
  softmaxGrad(heap: ArrayBuffer, y: number, dy: number, ds: number, rows: number, width: number, scale: number): void;
  tokenLogProbs(
    heap: ArrayBuffer,
    logits: number,
    targets: number,
    out: number,
    lse: number,
    rows: number,
    vocab: number,
  ): void;
  tokenLogProbsGrad(
    heap: ArrayBuffer,
    logits: number,
    targets: number,
    lse: number,
    dy: number,
    dlogits: number,
    rows: number,
    vocab: number,
  ): void;
  /** Open a BLAS library (the one @spo/native-matmul loaded) for the block kernels; "" or why it cannot be used. */
  useBlas(library: string): string;
  /** Floats in a GPT-2 block's saved intermediates for `shape` ([B, T, d, heads, past, maskOuter, eps, scale]). */
  gpt2BlockSavedFloats(shape: Float64Array): number;
  /**
   * One GPT-2 block forward: `args` is the shape (as gpt2BlockSavedFloats takes it), the 12 parameters'
   * offsets in Hugging Face's order, then x, mask, cache keys, cache values, y, keys, values, saved (−1:
   * absent). See src/gpt2-block.h.
   */
  gpt2BlockForward(heap: ArrayBuffer, args: Float64Array): void;
  /**
   * Its backward: the shape, the 12 parameters, saved, keys, values, dy, dKeys, dValues, then the offsets
   * of the 15 gradients (x, the parameters, cache keys, cache values; −1: not wanted).
   */
  gpt2BlockBackward(heap: ArrayBuffer, args: Float64Array): void;
  /** [products, seconds] the block kernels made in the BLAS since the last call (the bench's time split). */
  takeBlasStats(): [number, number];
  /** Σ over the tensors [offset, size]* of (g·scale)², in order, in float32 (src/optimizer.h). */
  sumOfSquares(heap: ArrayBuffer, tensors: Float64Array, scale: number): number;
  /** out = (in·a)·b for each [in, out, size]. */
  scaleTwice(heap: ArrayBuffer, tensors: Float64Array, a: number, b: number): void;
  /** AdamW's update of each [p, g, m, v, p', m', v', size, decay (0/1)]. */
  adamW(
    heap: ArrayBuffer,
    tensors: Float64Array,
    beta1: number,
    beta2: number,
    correction1: number,
    correction2: number,
    eps: number,
    weightDecay: number,
    lr: number,
  ): void;
}

export type NativeKernelsStatus = { available: true; kernels: NativeKernels } | { available: false; reason: string };

let status: NativeKernelsStatus | undefined;

/** The fused kernels, loaded once. */
export function loadNativeKernels(): NativeKernelsStatus {
  if (status) return status;
  if (!existsSync(ADDON_PATH)) {
    return (status = {
      available: false,
      reason:
        `the addon was not built at install (${ADDON_PATH} is missing; ` +
        `it needs a C++ compiler: run npm rebuild @spo/native-kernels)`,
    });
  }
  return (status = { available: true, kernels: createRequire(import.meta.url)(ADDON_PATH) as NativeKernels });
}
