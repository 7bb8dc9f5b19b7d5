// Three kernels of tfjs-backend-wasm 4.22 replaced by ones that copy less; values are copied or shared
// exactly, so nothing numeric changes. Registered in place of tfjs's own when the wasm backend loads.
//   Identity   tfjs clones every tensor a kernel saves for its gradient with Identity, and wasm's copies
//              the data (hundreds of activation copies per training step); this one shares the buffer
//              with a reference count, as wasm's Reshape and the cpu backend's Identity do (tensors are
//              immutable: a variable's assign swaps its buffer, never writes into it).
//   Slice, SplitV
//              wasm's Slice reads its input with readSync, which copies every element out of the heap,
//              then copies the slice innermost row by row: SplitV of attention keys [32, 4, 53, 32] in two
//              took 1.5 ms here, and it is the gradient of every concatenation of cached and new keys
//              (shared prompts, decoding). These read the heap in place and copy whole blocks: the
//              trailing axes the slice takes whole merge with the last partial axis into one contiguous
//              run per outer index.
import * as tf from '@tensorflow/tfjs';

type HeapArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): HeapArray;
  incRef(dataId: object): void;
}

/** Below this many elements a block is copied element by element (cheaper than a subarray per block). */
const ELEMENTWISE_BLOCK = 32;

/** Copy the box [begin, begin + size) of x (row-major, `shape`) into out, in order. */
export function copyBox(
  x: HeapArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: HeapArray,
): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  // the last axis the slice does not take whole: it and every axis after it form one contiguous block
  let axis = rank - 1;
  while (axis > 0 && size[axis] === shape[axis]) axis--;
  const block = size[axis] * strides[axis];
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= size[d];
  if (block === 0 || outer === 0) return;
  const index = new Array<number>(axis).fill(0);
  let outAt = 0;
  for (let n = 0; n < outer; n++) {
    let from = begin[axis] * strides[axis];
    for (let d = 0; d < axis; d++) from += (begin[d] + index[d]) * strides[d];
    if (block < ELEMENTWISE_BLOCK) for (let i = 0; i < block; i++) out[outAt + i] = x[from + i];
    else out.set(x.subarray(from, from + block), outAt);
    outAt += block;
    for (let d = axis - 1; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
}

function sliceOn(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // views after makeOutput: allocating can grow the heap, which replaces its buffer
  copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

let registered = false;

/** Put these kernels in place of tfjs-backend-wasm's Identity, Slice and SplitV (once; strings keep tfjs's own). */
export function registerWasmKernels(): void {
  if (registered) return;
  const original = (name: string) => tf.getKernel(name, 'wasm')!.kernelFunc;
  const originalIdentity = original('Identity'),
    originalSlice = original('Slice'),
    originalSplit = original('SplitV');
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  replace('Identity', (args) => {
    const {
      inputs: { x },
      backend,
    } = args as unknown as { inputs: { x: tf.TensorInfo }; backend: WasmBackend };
    if (x.dtype === 'string') return originalIdentity(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  replace('Slice', (args) => {
    const {
      inputs: { x },
      attrs,
      backend,
    } = args as unknown as {
      inputs: { x: tf.TensorInfo };
      attrs: { begin: number | number[]; size?: number | number[] };
      backend: WasmBackend;
    };
    if (x.dtype === 'string') return originalSlice(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    return sliceOn(backend, x, begin, size);
  });
  replace('SplitV', (args) => {
    const {
      inputs: { x },
      attrs,
      backend,
    } = args as unknown as {
      inputs: { x: tf.TensorInfo };
      attrs: { numOrSizeSplits: number | number[]; axis: number };
      backend: WasmBackend;
    };
    if (x.dtype === 'string') return originalSplit(args);
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = sliceOn(backend, x, [...begin], size);
      begin[axis] += s;
      return out;
    });
  });
  registered = true;
}
