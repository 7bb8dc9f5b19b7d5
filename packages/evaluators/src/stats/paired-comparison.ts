// Treatment against control on the same seeds and prompts: the mean paired difference in score and
// how often the treatment's sample scores higher, each with seedStatistics' t-interval over seeds,
// p-value and minimum detectable effect. Adjusting the p-values for the family a report compares is
// the report's job (multiplicity.ts), since only it knows the family.
import { seedStatistics, type SeedStatistics } from './seed-statistics.js';

/** 1 for a > b, ½ for a tie (within `tolerance`), 0 otherwise. */
export function outcome(a: number, b: number, tolerance = 1e-9): number {
  const d = a - b;
  return Math.abs(d) <= tolerance ? 0.5 : d > 0 ? 1 : 0;
}

export interface PairedComparison {
  /** Mean of treatment − control score on the same seed and prompt. */
  difference: SeedStatistics;
  /** Share of (seed, prompt) items where the treatment's sample scores higher (a tie counts ½). */
  headToHead: SeedStatistics;
}

/**
 * scores[s][p] of each, paired by seed and prompt; seeds listed in the same order for both.
 */
export function pairedComparison(
  treatment: readonly (readonly number[])[],
  control: readonly (readonly number[])[],
): PairedComparison {
  if (treatment.length !== control.length)
    throw new Error(`pairedComparison: ${treatment.length} seeds vs ${control.length}`);
  const diffs = treatment.map((t, s) => {
    if (t.length !== control[s].length)
      throw new Error(`pairedComparison: seed ${s} has ${t.length} treatment vs ${control[s].length} control prompts`);
    return t.map((x, p) => x - control[s][p]);
  });
  const wins = treatment.map((t, s) => t.map((x, p) => outcome(x, control[s][p])));
  // head-to-head is tested against ½
  return { difference: seedStatistics(diffs), headToHead: seedStatistics(wins, 0.95, 0.5) };
}
