// Matrix products by the machine's BLAS on the WASM backend's own memory (@spo/native-matmul): a kernel
// registered for the wasm backend hands the operands' heap offsets to OpenBLAS, which reads them and
// writes the result in place, multi-threaded and with transposes for free. XNNPACK in WASM is one
// thread of 128-bit SIMD without FMA (~20 GFLOP/s here); OpenBLAS on the same two cores does ~80.
// Turned on by initBackend when the wasm backend runs and the addon and a BLAS load; ops.ts asks
// nativeMatMulOn() and falls back to the backend's matmul otherwise.
import * as tf from '@tensorflow/tfjs';
import { loadNativeMatMul, type NativeMatMul } from '@spo/native-matmul';
import type { WasmBackendMemory } from './wasm-memory.js';

const KERNEL_NAME = 'SpoNativeMatMul';

/** The BLAS whose kernel is registered (once per process), and whether products go to it. */
let loaded: NativeMatMul | undefined;
let on = false;

function kernel(native: NativeMatMul): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const memory = backend as unknown as WasmBackendMemory;
    const batched = a.shape.length === 3;
    const [aRows, aCols] = a.shape.slice(-2),
      [bRows, bCols] = b.shape.slice(-2);
    const m = transposeA ? aCols : aRows,
      k = transposeA ? aRows : aCols;
    const n = transposeB ? bRows : bCols,
      kB = transposeB ? bCols : bRows;
    const batch = batched ? a.shape[0] : 1;
    if (k !== kB || (batched && b.shape[0] !== batch) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      throw new Error(
        `${KERNEL_NAME}: cannot multiply ${a.dtype}[${a.shape}] by ${b.dtype}[${b.shape}] ` +
          `(transposeA ${transposeA}, transposeB ${transposeB})`,
      );
    }
    const out = memory.makeOutput(batched ? [batch, m, n] : [m, n], 'float32');
    const offset = (t: tf.TensorInfo) => memory.dataIdMap.get(t.dataId)!.memoryOffset;
    // makeOutput may have grown the heap, which replaces its ArrayBuffer: read the buffer after it
    if (batch * m * n > 0)
      native.gemm(
        memory.wasm.HEAPU8.buffer as ArrayBuffer,
        offset(a),
        offset(b),
        offset(out),
        batch,
        m,
        n,
        k,
        transposeA,
        transposeB,
      );
    return out;
  };
}

/** The native BLAS products go to: the library, its kernel set and its thread count. */
export type NativeBlas = Pick<NativeMatMul, 'library' | 'core' | 'threads'>;

/**
 * Load the native matmul for the wasm backend; returns what the matmul runs on, for the log, and the
 * BLAS when it loaded.
 */
export function enableNativeMatMul(): { matmul: string; blas?: NativeBlas } {
  const status = loadNativeMatMul();
  if (!status.available) return { matmul: `XNNPACK (native BLAS not used: ${status.reason})` };
  if (!loaded) {
    tf.registerKernel({ kernelName: KERNEL_NAME, backendName: 'wasm', kernelFunc: kernel(status.matmul) });
    loaded = status.matmul;
  }
  on = true;
  const { library, core, threads } = loaded;
  const details = [...(core ? [`${core} kernels`] : []), ...(threads === 1 ? ['1 thread'] : [])];
  return {
    matmul: `native BLAS ${library}${details.length ? ` (${details.join(', ')})` : ''}`,
    blas: { library, core, threads },
  };
}

/** Switch the native path off and on (tests and benchmarks compare both); on needs enableNativeMatMul first. */
export function setNativeMatMul(enabled: boolean): void {
  if (enabled && !loaded)
    throw new Error('setNativeMatMul(true): the native matmul is not loaded (enableNativeMatMul() reported why)');
  on = enabled;
}

/** True when products on the current backend go to the native BLAS. */
export function nativeMatMulOn(): boolean {
  return on && tf.getBackend() === 'wasm';
}

/**
 * op(a) @ op(b) for 2-D operands, or per batch for 3-D ones, by the native BLAS; only when nativeMatMulOn().
 * Not differentiable by itself: ops.ts wraps it in custom gradients that call it again.
 */
export function nativeMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  return tf
    .engine()
    .runKernel(KERNEL_NAME, { a, b }, { transposeA, transposeB } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
