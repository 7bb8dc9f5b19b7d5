// Fused transformer kernels (@spo/native-kernels) registered for the wasm backend: LayerNorm and
// RMSNorm, GELU, SwiGLU, the attention's scaled and masked softmax, and log-softmax at a target, each
// forward and backward in one native call on the WASM heap where the composed ops launch 5-12 kernels;
// and a whole GPT-2 block, forward and backward, in one call each (fused-block.ts), which computes what
// those kernels and the native BLAS's products compute, in the same order, bit for bit.
// ops.ts asks fusedKernelsOn() and uses the composed ops otherwise (other backends, no addon,
// $SPO_FUSED=off). They round differently from the composed ops (row sums in double, an exp of their
// own), so they are a numerics path of their own ("-fused" in every stage hash); the fused blocks are
// on that same path.
import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels, type NativeKernels } from '@spo/native-kernels';
import { loadNativeMatMul } from '@spo/native-matmul';
import { nativeMatMulOn } from './native-matmul.js';
import type { WasmBackendMemory } from './wasm-memory.js';

/** "on", "ops" or "off"; unset means FUSED_DEFAULT. */
export const FUSED_ENV = 'SPO_FUSED';

/**
 * What runs fused: "on", the GPT-2 block whole where it can and the fused kernels elsewhere; "ops", the
 * fused kernels only (each op of the block on its own, the same numbers: the bench compares the two);
 * "off", the composed ops, a numerics path of their own. Every committed report is made on the fused
 * path; one place to flip the default.
 */
export const FUSED_DEFAULT: FusedSetting = 'on';
export type FusedSetting = 'on' | 'ops' | 'off';
const FUSED_SETTINGS: readonly FusedSetting[] = ['on', 'ops', 'off'];

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  attrs: Record<string, number> & { decay?: number[] };
  backend: WasmBackendMemory;
}

const size = (t: tf.TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

/**
 * A kernel that makes its outputs, then calls `run` with the heap (read after the outputs are made,
 * since making them may grow the heap and replace its buffer) and each tensor's byte offset (−1 for
 * an absent input).
 */
function heapKernel(
  outputs: (inputs: KernelArgs['inputs'], attrs: KernelArgs['attrs']) => number[][],
  run: (heap: ArrayBuffer, at: (t?: tf.TensorInfo) => number, k: KernelArgs, out: tf.TensorInfo[]) => void,
): tf.KernelFunc {
  return (args) => {
    const k = args as unknown as KernelArgs;
    const out = outputs(k.inputs, k.attrs).map((shape) => k.backend.makeOutput(shape, 'float32'));
    const at = (t?: tf.TensorInfo) => (t ? k.backend.dataIdMap.get(t.dataId)!.memoryOffset : -1);
    run(k.backend.wasm.HEAPU8.buffer as ArrayBuffer, at, k, out);
    return out;
  };
}

/**
 * A GPT-2 block's shape as the native kernels take it, [B, T, d, heads, past, maskOuter, eps, scale]: from
 * the new tokens [B, T, d], the keys before them, and the mask's rows (1 or B; the backward has none).
 */
function blockShape(tokens: tf.TensorInfo, past: number, maskOuter: number, attrs: KernelArgs['attrs']): Float64Array {
  const [B, T, d] = tokens.shape;
  return Float64Array.from([B, T, d, attrs.heads, past, maskOuter, attrs.eps, 1 / Math.sqrt(d / attrs.heads)]);
}

/** The block's parameters as its kernels name their inputs (w0..w11), in Hugging Face's order. */
export const BLOCK_WEIGHT_INPUTS = Array.from({ length: 12 }, (_, i) => `w${i}`);

/** Their shapes for width d, Hugging Face's layout ([in, out]); the native block's MLP is 4d wide. */
export const blockParamShapes = (d: number): number[][] => [
  [d],
  [d],
  [d, 3 * d],
  [3 * d],
  [d, d],
  [d],
  [d],
  [d],
  [d, 4 * d],
  [4 * d],
  [4 * d, d],
  [d],
];

function kernels(n: NativeKernels): Record<string, tf.KernelFunc> {
  return {
    SpoNorm: heapKernel(
      ({ x }) => [x!.shape, x!.shape, [x!.shape[0], 1]],
      (heap, at, { inputs: { x, gain, bias }, attrs }, [y, normed, rstd]) =>
        n.norm(
          heap,
          at(x),
          at(gain),
          at(bias),
          at(y),
          at(normed),
          at(rstd),
          x!.shape[0],
          x!.shape[1],
          attrs.eps,
          attrs.centred,
        ),
    ),
    SpoNormGrad: heapKernel(
      ({ dy }, { centred }) => [dy!.shape, [dy!.shape[1]], ...(centred ? [[dy!.shape[1]]] : [])],
      (heap, at, { inputs: { dy, normed, rstd, gain }, attrs }, [dx, dgain, dbias]) =>
        n.normGrad(
          heap,
          at(dy),
          at(normed),
          at(rstd),
          at(gain),
          at(dx),
          at(dgain),
          at(dbias),
          dy!.shape[0],
          dy!.shape[1],
          attrs.centred,
        ),
    ),
    SpoGelu: heapKernel(
      ({ x }) => [x!.shape],
      (heap, at, { inputs: { x } }, [y]) => n.gelu(heap, at(x), at(y), size(x!)),
    ),
    SpoGeluGrad: heapKernel(
      ({ x }) => [x!.shape],
      (heap, at, { inputs: { x, dy } }, [dx]) => n.geluGrad(heap, at(x), at(dy), at(dx), size(x!)),
    ),
    SpoSwiglu: heapKernel(
      ({ gate }) => [gate!.shape],
      (heap, at, { inputs: { gate, up } }, [y]) => n.swiglu(heap, at(gate), at(up), at(y), size(gate!)),
    ),
    SpoSwigluGrad: heapKernel(
      ({ gate }) => [gate!.shape, gate!.shape],
      (heap, at, { inputs: { gate, up, dy } }, [dgate, dup]) =>
        n.swigluGrad(heap, at(gate), at(up), at(dy), at(dgate), at(dup), size(gate!)),
    ),
    SpoMaskedSoftmax: heapKernel(
      ({ scores }) => [scores!.shape],
      (heap, at, { inputs: { scores, mask }, attrs }, [y]) => {
        const shape = scores!.shape;
        const [width, inner] = [shape[shape.length - 1], shape[shape.length - 2]];
        const outer = shape[0];
        const heads = size(scores!) / (outer * inner * width);
        const maskOuter = mask ? mask.shape[0] : 1;
        n.maskedSoftmax(heap, at(scores), at(mask), at(y), outer, heads, inner, width, attrs.scale, maskOuter);
      },
    ),
    SpoSoftmaxGrad: heapKernel(
      ({ y }) => [y!.shape],
      (heap, at, { inputs: { y, dy }, attrs }, [ds]) => {
        const width = y!.shape[y!.shape.length - 1];
        n.softmaxGrad(heap, at(y), at(dy), at(ds), size(y!) / width, width, attrs.scale);
      },
    ),
    SpoTokenLogProbs: heapKernel(
      ({ logits }) => [[logits!.shape[0]], [logits!.shape[0]]],
      (heap, at, { inputs: { logits, targets } }, [out, lse]) =>
        n.tokenLogProbs(heap, at(logits), at(targets), at(out), at(lse), logits!.shape[0], logits!.shape[1]),
    ),
    SpoTokenLogProbsGrad: heapKernel(
      ({ logits }) => [logits!.shape],
      (heap, at, { inputs: { logits, targets, lse, dy } }, [dlogits]) =>
        n.tokenLogProbsGrad(
          heap,
          at(logits),
          at(targets),
          at(lse),
          at(dy),
          at(dlogits),
          logits!.shape[0],
          logits!.shape[1],
        ),
    ),
    // outputs: y, then keys and values when attrs.kv, then the saved intermediates when attrs.save
    SpoGpt2Block: heapKernel(
      ({ x, cacheKeys, mask }, attrs) => {
        const shape = blockShape(x!, cacheKeys?.shape[2] ?? 0, mask!.shape[0], attrs);
        const [B, T, d, H, P] = shape;
        const kv = [B, H, P + T, d / H];
        return [x!.shape, ...(attrs.kv ? [kv, kv] : []), ...(attrs.save ? [[n.gpt2BlockSavedFloats(shape)]] : [])];
      },
      (heap, at, { inputs, attrs }, [y, ...rest]) => {
        const [keys, values] = attrs.kv ? rest : [];
        const saved = attrs.save ? rest[rest.length - 1] : undefined;
        const { x, mask, cacheKeys, cacheValues } = inputs;
        n.gpt2BlockForward(
          heap,
          Float64Array.from([
            ...blockShape(x!, cacheKeys?.shape[2] ?? 0, mask!.shape[0], attrs),
            ...BLOCK_WEIGHT_INPUTS.map((w) => at(inputs[w])),
            ...[x, mask, cacheKeys, cacheValues, y, keys, values, saved].map(at),
          ]),
        );
      },
    ),
    // outputs: the gradients whose bits attrs.want sets, in this order: x, the 12 parameters, cache keys and values
    SpoGpt2BlockGrad: heapKernel(
      ({ dy, keys }, attrs) => {
        const [B, T, d] = dy!.shape;
        const [, H, S, dh] = keys!.shape;
        const cache = [B, H, S - T, dh];
        return [dy!.shape, ...blockParamShapes(d), cache, cache].filter((_, i) => attrs.want & (1 << i));
      },
      (heap, at, { inputs, attrs }, out) => {
        const { dy, keys, values, saved, dKeys, dValues } = inputs;
        let next = 0;
        const grads = Array.from({ length: 15 }, (_, i) => (attrs.want & (1 << i) ? at(out[next++]) : -1));
        n.gpt2BlockBackward(
          heap,
          Float64Array.from([
            ...blockShape(dy!, keys!.shape[2] - dy!.shape[1], 1, attrs),
            ...BLOCK_WEIGHT_INPUTS.map((w) => at(inputs[w])),
            ...[saved, keys, values, dy, dKeys, dValues].map(at),
            ...grads,
          ]),
        );
      },
    ),
    // inputs g0.. gk; outputs (g·a)·b for each, in order
    SpoScaleTwice: heapKernel(
      (inputs) => Object.values(inputs).map((g) => g!.shape),
      (heap, at, { inputs, attrs }, out) => {
        const grads = Object.values(inputs);
        const spec = grads.flatMap((g, i) => [at(g), at(out[i]), size(g!)]);
        n.scaleTwice(heap, Float64Array.from(spec), attrs.a, attrs.b);
      },
    ),
    // inputs p0, g0, m0, v0, p1, ...; outputs p', m', v' of each parameter in order; attrs.decay[i] 1 where
    // parameter i takes weight decay
    SpoAdamW: heapKernel(
      (inputs) => Object.values(inputs).flatMap((t, i) => (i % 4 === 0 ? [t!.shape, t!.shape, t!.shape] : [])),
      (heap, at, { inputs, attrs }, out) => {
        const t = Object.values(inputs);
        const spec: number[] = [];
        for (let i = 0; i < t.length / 4; i++) {
          const [p, g, m, v] = t.slice(4 * i, 4 * i + 4);
          const [p2, m2, v2] = out.slice(3 * i, 3 * i + 3);
          spec.push(at(p), at(g), at(m), at(v), at(p2), at(m2), at(v2), size(p!), attrs.decay![i]);
        }
        n.adamW(
          heap,
          Float64Array.from(spec),
          attrs.beta1,
          attrs.beta2,
          attrs.c1,
          attrs.c2,
          attrs.eps,
          attrs.wd,
          attrs.lr,
        );
      },
    ),
  };
}

let registered = false;
/** The fused blocks' BLAS is open (the native matmul's library); why not, when it is not. */
let blocksReady: true | string = 'the fused kernels are not registered';
let on = false;
let blocks = false;

/**
 * Register the fused kernels for the wasm backend when the addon loaded and $SPO_FUSED allows; returns
 * what runs, for the log ("fused blocks and kernels", or why not).
 */
export function enableFusedKernels(env: NodeJS.ProcessEnv = process.env): { fused: boolean; detail: string } {
  const setting = (env[FUSED_ENV] ?? FUSED_DEFAULT) as FusedSetting;
  if (!FUSED_SETTINGS.includes(setting))
    throw new Error(`$${FUSED_ENV}=${setting}: use ${FUSED_SETTINGS.join(', ')} (unset means ${FUSED_DEFAULT})`);
  const source = env[FUSED_ENV] ? `$${FUSED_ENV}=${setting}` : `$${FUSED_ENV} unset: ${setting}, the default`;
  if (setting === 'off') return { fused: false, detail: `composed ops (${source})` };
  const status = loadNativeKernels();
  if (!status.available) return { fused: false, detail: `composed ops (fused kernels not used: ${status.reason})` };
  if (!registered) {
    for (const [kernelName, kernelFunc] of Object.entries(kernels(status.kernels)))
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    registered = true;
    const blas = loadNativeMatMul();
    blocksReady = blas.available
      ? status.kernels.useBlas(blas.matmul.library) || true
      : `they need the native BLAS (${blas.reason})`;
  }
  on = true;
  blocks = setting === 'on' && blocksReady === true;
  if (blocks) return { fused: true, detail: `fused GPT-2 blocks and kernels (${source})` };
  const why = setting === 'ops' ? source : `fused blocks not used: ${blocksReady}`;
  return { fused: true, detail: `fused kernels (${why})` };
}

/**
 * Switch the fused kernels off and on (tests and the bench compare them): "on" also fuses whole GPT-2
 * blocks, "ops" fuses each op alone; anything but "off" needs enableFusedKernels first.
 */
export function setFusedKernels(setting: FusedSetting): void {
  if (setting !== 'off' && !registered)
    throw new Error(
      `setFusedKernels('${setting}'): the fused kernels are not registered (enableFusedKernels() said why)`,
    );
  if (setting === 'on' && blocksReady !== true)
    throw new Error(`setFusedKernels('on'): the fused blocks cannot run: ${blocksReady}`);
  on = setting !== 'off';
  blocks = setting === 'on';
}

/**
 * True when an optimiser step's elementwise work over all parameters runs as one fused kernel each
 * (optimizer-ops.ts: the gradient norm, clipping, AdamW), which gives the composed ops' numbers exactly.
 */
export function fusedOptimizerOn(): boolean {
  return blocks && fusedKernelsOn();
}

/** Σ over `tensors` of (t·scale)², in order in float32, by the native kernel on the tensors' heap memory. */
export function nativeSumOfSquares(tensors: tf.Tensor[], scale: number): number {
  const status = loadNativeKernels();
  if (!status.available) throw new Error(`nativeSumOfSquares: ${status.reason}`);
  const backend = tf.backend() as unknown as WasmBackendMemory;
  const spec = tensors.flatMap((t) => [backend.dataIdMap.get(t.dataId)!.memoryOffset, t.size]);
  return status.kernels.sumOfSquares(backend.wasm.HEAPU8.buffer as ArrayBuffer, Float64Array.from(spec), scale);
}

/** Products the fused blocks made in the BLAS, and the milliseconds in them, since the last call. */
export function takeFusedBlasStats(): { products: number; ms: number } {
  const status = loadNativeKernels();
  if (!status.available) return { products: 0, ms: 0 };
  const [products, seconds] = status.kernels.takeBlasStats();
  return { products, ms: seconds * 1000 };
}

/** Why setFusedKernels('on') would throw (the fused blocks need the native BLAS), or undefined when it would not. */
export function fusedBlocksUnavailable(): string | undefined {
  return blocksReady === true ? undefined : blocksReady;
}

/** `f` under `setting`, then the setting before put back (tests compare the settings' results). */
export function withFusedKernels<T>(setting: FusedSetting, f: () => T): T {
  const was = fusedSetting();
  try {
    setFusedKernels(setting);
    return f();
  } finally {
    setFusedKernels(was);
  }
}

/** What setFusedKernels last set (or enableFusedKernels chose), to put it back. */
export function fusedSetting(): FusedSetting {
  return blocks ? 'on' : on ? 'ops' : 'off';
}

/** True when ops.ts should use the fused kernels: registered, switched on, and the wasm backend current. */
export function fusedKernelsOn(): boolean {
  return on && tf.getBackend() === 'wasm';
}

/**
 * True when a GPT-2 block may run as one fused op: the fused kernels on with blocks, and products on the
 * native BLAS (whose calls the block makes itself; with XNNPACK's products the numbers would differ).
 */
export function fusedBlocksOn(): boolean {
  return blocks && fusedKernelsOn() && nativeMatMulOn();
}

/** Run one fused kernel; its outputs in the order the kernel makes them. */
export function runFused(
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: Record<string, number | number[]> = {},
): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}
