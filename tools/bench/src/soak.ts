// Does a long run leak? Run one case many times and sample the live tensor count, the process's
// resident memory and the WASM heap every `every` runs: all three should stay flat after warm-up.
import { tf, wasmHeapBytes } from '@spo/engine';

export interface SoakSample {
  run: number;
  tensors: number;
  rssMiB: number;
  /** The WASM backend's heap (it grows to a high-water mark and never shrinks); undefined on other backends. */
  wasmHeapMiB?: number;
}

export function soak(run: () => void, runs: number, every: number): SoakSample[] {
  const samples: SoakSample[] = [];
  const sample = (i: number) => {
    const heap = wasmHeapBytes();
    samples.push({
      run: i,
      tensors: tf.memory().numTensors,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      wasmHeapMiB: heap === undefined ? undefined : Math.round(heap / 2 ** 20),
    });
  };
  for (let i = 1; i <= runs; i++) {
    run();
    if (i % every === 0 || i === 1) sample(i);
  }
  return samples;
}
