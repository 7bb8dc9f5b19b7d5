// Fused transformer kernels (@spo/native-kernels) registered for the wasm backend: LayerNorm and
// RMSNorm, GELU, SwiGLU, the attention's scaled and masked softmax, and log-softmax at a target, each
// forward and backward in one native call on the WASM heap where the composed ops launch 5-12 kernels.
// ops.ts asks fusedKernelsOn() and uses the composed ops otherwise (other backends, no addon,
// $SPO_FUSED=off). They round differently from the composed ops (row sums in double, an exp of their
// own), so they are a numerics path of their own ("-fused" in every stage hash).
import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels, type NativeKernels } from '@spo/native-kernels';
import type { WasmBackendMemory } from './wasm-memory.js';

/** "on" or "off"; unset means FUSED_DEFAULT. */
export const FUSED_ENV = 'SPO_FUSED';

/**
 * On: every committed report is made on the fused path ($SPO_FUSED=off gives the composed ops, a numerics
 * path of their own); one place to flip it.
 */
export const FUSED_DEFAULT: 'on' | 'off' = 'on';

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  attrs: Record<string, number>;
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
  };
}

let registered = false;
let on = false;

/**
 * Register the fused kernels for the wasm backend when the addon loaded and $SPO_FUSED allows; returns
 * what runs, for the log ("fused kernels", or why not).
 */
export function enableFusedKernels(env: NodeJS.ProcessEnv = process.env): { fused: boolean; detail: string } {
  const setting = env[FUSED_ENV] ?? FUSED_DEFAULT;
  if (setting !== 'on' && setting !== 'off')
    throw new Error(`$${FUSED_ENV}=${setting}: use on or off (unset means ${FUSED_DEFAULT})`);
  if (setting === 'off')
    return { fused: false, detail: `composed ops ($${FUSED_ENV}=off${env[FUSED_ENV] ? '' : ', the default'})` };
  const status = loadNativeKernels();
  if (!status.available) return { fused: false, detail: `composed ops (fused kernels not used: ${status.reason})` };
  if (!registered) {
    for (const [kernelName, kernelFunc] of Object.entries(kernels(status.kernels)))
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    registered = true;
  }
  on = true;
  return { fused: true, detail: 'fused kernels' };
}

/** Switch the fused kernels off and on (tests and the bench compare both); on needs enableFusedKernels first. */
export function setFusedKernels(enabled: boolean): void {
  if (enabled && !registered)
    throw new Error('setFusedKernels(true): the fused kernels are not registered (enableFusedKernels() said why)');
  on = enabled;
}

/** True when ops.ts should use the fused kernels: registered, switched on, and the wasm backend current. */
export function fusedKernelsOn(): boolean {
  return on && tf.getBackend() === 'wasm';
}

/** Run one fused kernel; its outputs in the order the kernel makes them. */
export function runFused(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}
