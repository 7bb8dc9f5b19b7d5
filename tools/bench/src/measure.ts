// Timing of one benchmark case: warm-up runs (kernel compilation, allocator growth, V8 compiling the
// JavaScript on the hot path) are discarded, then the median and spread of the timed runs are reported
// with the tensor count and process memory. Both are counted in runs and in time (RunBudget).
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

/** How long to run a case: at least `runs` runs, and on until `ms` milliseconds have passed. */
export interface RunBudget {
  runs: number;
  ms: number;
}

/**
 * Discarded runs before the timed ones. V8 compiles a case's JavaScript (the sampler's loop, tfjs's
 * bookkeeping) in tiers as it runs hot and recompiles after a deoptimisation, so a case runs slower for
 * its first 20 or so runs here (the quickstart model's DPO step ~30 ms, then ~22; its sampling ~28, then
 * ~16): a count of runs is too short for fast cases, so they also run on for a second.
 */
export const WARM_UP_DEFAULT: RunBudget = { runs: 2, ms: 1000 };

/**
 * Timed runs. Seven runs of a case of a few milliseconds fit in a window that one slow spell of a shared
 * machine covers whole (the quickstart model's reference pass spread 6.3-19.3 ms within one bench run,
 * its median 10.1 against 6.0-6.9 in the three runs before), so short cases run on for half a second.
 */
export const TIMED_DEFAULT: RunBudget = { runs: 7, ms: 500 };

/** Runs `run` as `budget` asks; returns how long each run took. */
export function runFor(run: () => void, budget: RunBudget, now = () => performance.now()): number[] {
  const times: number[] = [];
  const started = now();
  while (times.length < budget.runs || now() - started < budget.ms) {
    const at = now();
    run();
    times.push(now() - at);
  }
  return times;
}

export function measure(run: () => void, warmup: RunBudget, timed: RunBudget): Measurement {
  runFor(run, warmup);
  const before = tf.memory().numTensors;
  const times = runFor(run, timed);
  return {
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    repeats: times.length,
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

/**
 * The distribution-free interval for a median from n draws: [x_(k), x_(n+1−k)] of the sorted values,
 * with k the largest rank such that P(Binomial(n, ½) < k) ≤ (1 − confidence) / 2, so its coverage is at
 * least `confidence` whatever the distribution (and exactly the returned `coverage`). Undefined below 6
 * draws at 95%, where even [min, max] covers less.
 */
export function medianInterval(
  xs: readonly number[],
  confidence = 0.95,
): { low: number; high: number; coverage: number } | undefined {
  const n = xs.length;
  const sorted = [...xs].sort((a, b) => a - b);
  // P(Binomial(n, ½) = i), built up from i = 0 in logs (2^−n underflows past n ≈ 1,070)
  const logPmf = [-n * Math.LN2];
  for (let i = 1; i <= n; i++) logPmf.push(logPmf[i - 1] + Math.log(n - i + 1) - Math.log(i));
  const pmf = logPmf.map(Math.exp);
  let k = 0,
    below = 0; // P(X < k + 1) after each step
  while (k < n && below + pmf[k] <= (1 - confidence) / 2) below += pmf[k++];
  if (k === 0) return undefined;
  return { low: sorted[k - 1], high: sorted[n - k], coverage: 1 - 2 * below };
}

/**
 * The time of `b` over the time of `a`, measured in interleaved pairs (a then b, then b then a, so a
 * drift in the machine's speed reaches both sides alike; an even count puts each first equally often):
 * the median of the pairs' ratios and its distribution-free interval. Two cases timed in separate
 * windows of a shared machine can differ by more than the effect (a slow spell lands on one side);
 * paired, the spell cancels. The interval takes the pairs as independent draws; a spell longer than a
 * pair makes neighbouring pairs alike, so its coverage is then somewhat less than stated.
 */
export function pairedRatio(
  a: () => void,
  b: () => void,
  warmup: RunBudget,
  pairs: number,
  now = () => performance.now(),
): { median: number; interval?: ReturnType<typeof medianInterval>; pairs: number } {
  runFor(
    () => {
      a();
      b();
    },
    warmup,
    now,
  );
  const time = (run: () => void) => {
    const started = now();
    run();
    return now() - started;
  };
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      const ta = time(a);
      ratios.push(time(b) / ta);
    } else {
      const tb = time(b);
      ratios.push(tb / time(a));
    }
  }
  return { median: median(ratios), interval: medianInterval(ratios), pairs };
}
