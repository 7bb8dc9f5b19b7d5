// The multiplicity adjustment of one table's comparisons: each table is a family (the +SPO table: every
// +SPO-versus-base row, both evaluators; a comparison table: every row and evaluator of it), and
// "significant" in it means a Holm-adjusted p below 5%, so that the chance of any false claim in the
// table stays at 5%. Benjamini–Hochberg's q (false discovery rate) is shown beside it, and the raw p.
import { benjaminiHochberg, holmAdjust, type PairedComparison } from '@spo/evaluators';

export const ALPHA = 0.05;

export interface Adjusted {
  /** Holm-adjusted p over the family. */
  holm: number;
  /** Benjamini–Hochberg q over the family. */
  bh: number;
  /** Holm-adjusted p < ALPHA. */
  significant: boolean;
  /** Raw p < ALPHA (the Δ interval excludes 0). */
  rawSignificant: boolean;
}

/** Each comparison's adjusted values, in the order given, the family being all of them. */
export function adjustFamily(comparisons: readonly PairedComparison[]): Adjusted[] {
  const p = comparisons.map((c) => c.difference.p);
  const holm = holmAdjust(p),
    bh = benjaminiHochberg(p);
  return p.map((raw, i) => ({
    holm: holm[i],
    bh: bh[i],
    significant: holm[i] < ALPHA,
    rawSignificant: raw < ALPHA,
  }));
}
