// The WASM backend's memory: one linear heap that grows to a high-water mark, never shrinks, and is
// capped at 4 GiB (wasm32). When a kernel cannot allocate, XNNPACK's failure aborts the whole module
// with a bare "Aborted()"; nothing can run on the backend after that, so the caller must say what to
// change (a smaller micro-batch) and resume from the last checkpoint in a new process.
import * as tf from '@tensorflow/tfjs';

/**
 * The parts of tfjs-backend-wasm that kernels working on its heap in place use (native-matmul.ts,
 * fused-kernels.ts): a tensor's byte offset, a new output, and the heap itself.
 */
export interface WasmBackendMemory {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

/** wasm32's address space: the most the backend's heap can grow to. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;

/** The WASM backend's current heap size, or undefined on other backends. */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  return (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength;
}

/**
 * The ways running out of memory shows: the RuntimeError an Emscripten module throws when it aborts
 * ("Aborted()", for the backend an allocation that failed), a wasm access past the heap's end after a
 * failed grow ("memory access out of bounds"), and V8 or tfjs failing to allocate a buffer.
 */
const OUT_OF_MEMORY = [
  /^Aborted\(/,
  /memory access out of bounds/i,
  /Array buffer allocation failed/i,
  /could not (allocate|grow)/i,
  /failed to allocate/i,
  /out of memory/i,
  /Invalid typed array length/i,
  /WebAssembly\.Memory.*grow/i,
];

/** True when `error` is an allocation that failed: the backend's heap, or the host's. */
export function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && OUT_OF_MEMORY.some((re) => re.test(error.message));
}
