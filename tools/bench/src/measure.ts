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
  return {
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    repeats,
    tensorGrowth: tf.memory().numTensors - before,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
