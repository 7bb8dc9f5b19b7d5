// Timing of one benchmark case: warm-up runs (kernel compilation, allocator growth) are discarded,
// then the median and spread of the repeats are reported with the tensor count and process memory.
import { tf } from '@spo/engine';

export interface Measurement {
  medianMs: number;
  minMs: number;
  maxMs: number;
  repeats: number;
  /** Live tensors after the repeats minus before them: 0 when nothing leaks. */
  tensorGrowth: number;
  rssMiB: number;
}

export function measure(run: () => void, warmup: number, repeats: number): Measurement {
  for (let i = 0; i < warmup; i++) run();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return {
    medianMs: times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2,
    minMs: times[0],
    maxMs: times[times.length - 1],
    repeats,
    tensorGrowth: tf.memory().numTensors - before,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
}
