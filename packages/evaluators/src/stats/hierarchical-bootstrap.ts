// Statistics over seeds and prompts. A run's outcome on a prompt depends on two random things: the
// seed (training order, SPO's draws, initialisation, sampling stream) and the prompt. The mean over
// seeds of each seed's mean over prompts is the estimate; its interval comes from a two-level
// percentile bootstrap: resample the seeds with replacement, then the prompts within each drawn seed
// (Davison & Hinkley 1997, §3.8), so between-seed variation widens the interval as it should.
import { Rng } from '@spo/engine';
import type { Interval } from '../bootstrap.js';

export interface SeedEstimate {
  /** Mean over seeds of the per-seed mean. */
  mean: number;
  interval: Interval;
  seeds: number;
  /** Items (prompts) per seed, summed. */
  n: number;
}

/** @param values values[s][p]: the outcome of prompt p under seed s (seeds may have different prompt counts). */
export function hierarchicalBootstrap(
  values: readonly (readonly number[])[],
  resamples: number,
  seed: number | string,
  level = 0.95,
): SeedEstimate {
  const S = values.length;
  if (S === 0 || values.some((v) => v.length === 0))
    throw new Error('hierarchicalBootstrap: every seed needs at least one value');
  const seedMean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mean = values.reduce((a, v) => a + seedMean(v), 0) / S;
  const rng = new Rng(`${seed}/hierarchical-bootstrap`);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let s = 0; s < S; s++) {
      const v = values[S === 1 ? 0 : rng.int(S)];
      let sum = 0;
      for (let i = 0; i < v.length; i++) sum += v[rng.int(v.length)];
      total += sum / v.length;
    }
    means[r] = total / S;
  }
  means.sort();
  const tail = (1 - level) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return {
    mean,
    interval: { low: at(tail), high: at(1 - tail), level },
    seeds: S,
    n: values.reduce((a, v) => a + v.length, 0),
  };
}

/** 1 for a > b, ½ for a tie (within `tolerance`), 0 otherwise. */
export function outcome(a: number, b: number, tolerance = 1e-9): number {
  const d = a - b;
  return Math.abs(d) <= tolerance ? 0.5 : d > 0 ? 1 : 0;
}

export interface PairedComparison {
  /** Mean of treatment − control score on the same seed and prompt, with its interval. */
  difference: SeedEstimate;
  /** Share of (seed, prompt) items where the treatment's sample scores higher (a tie counts ½). */
  headToHead: SeedEstimate;
  /** The difference's interval excludes 0 (and so, for a symmetric score, the head-to-head usually excludes ½). */
  significant: boolean;
}

/**
 * Treatment against control on the same seeds and prompts: scores[s][p] of each, paired by seed and prompt.
 * Seeds must be listed in the same order for both.
 */
export function pairedComparison(
  treatment: readonly (readonly number[])[],
  control: readonly (readonly number[])[],
  resamples: number,
  seed: number | string,
): PairedComparison {
  if (treatment.length !== control.length)
    throw new Error(`pairedComparison: ${treatment.length} seeds vs ${control.length}`);
  const diffs = treatment.map((t, s) => {
    if (t.length !== control[s].length)
      throw new Error(`pairedComparison: seed ${s} has ${t.length} treatment vs ${control[s].length} control prompts`);
    return t.map((x, p) => x - control[s][p]);
  });
  const wins = treatment.map((t, s) => t.map((x, p) => outcome(x, control[s][p])));
  const difference = hierarchicalBootstrap(diffs, resamples, `${seed}/difference`);
  return {
    difference,
    headToHead: hierarchicalBootstrap(wins, resamples, `${seed}/head-to-head`),
    significant: difference.interval.low > 0 || difference.interval.high < 0,
  };
}
