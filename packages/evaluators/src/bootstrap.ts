// Percentile bootstrap (Efron 1979) of a mean: resample the items with replacement, seeded.
import { Rng } from '@spo/engine';

export interface Interval {
  low: number;
  high: number;
  level: number;
}

export function bootstrapMean(
  values: readonly number[],
  resamples: number,
  seed: number | string,
  level = 0.95,
): Interval {
  if (values.length === 0) throw new Error('bootstrapMean: no values');
  const rng = new Rng(`${seed}/bootstrap`);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < values.length; i++) total += values[rng.int(values.length)];
    means[r] = total / values.length;
  }
  means.sort();
  const tail = (1 - level) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return { low: at(tail), high: at(1 - tail), level };
}
