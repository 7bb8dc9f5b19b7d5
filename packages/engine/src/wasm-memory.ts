// The WASM backend's memory: one linear heap that grows to a high-water mark, never shrinks, and is
// capped at 4 GiB (wasm32). When a kernel cannot allocate, XNNPACK's failure aborts the whole module
// with a bare "Aborted()"; nothing can run on the backend after that, so the caller must say what to
// change (a smaller micro-batch) and resume from the last checkpoint in a new process.
import * as tf from '@tensorflow/tfjs';

/** wasm32's address space: the most the backend's heap can grow to. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;

/** The WASM backend's current heap size, or undefined on other backends. */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  return (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength;
}

/** True for the RuntimeError an Emscripten module throws when it aborts (for the backend: out of memory). */
export function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError' && /^Aborted\(/.test(error.message);
}
