// `spo compare` and the report's comparison tables: runs grouped by the value of one setting, each
// group against a baseline method's runs on the same data variant and seed, prompt by prompt. Where
// the setting was swept one factor at a time, only the runs of that sweep count, so a λ row never
// holds a run whose K was changed instead.
import { pairedComparison, type PairedComparison } from '@spo/evaluators';
import { getAtPath, type CompareSpec, type RunResult } from '@spo/experiment';
import { meanOf, type Evaluator } from './cells.js';
import { adjustFamily, type Adjusted } from './family.js';

export interface CompareRow {
  value: string;
  runs: string[];
  /** (variant, seed) units paired with a baseline run. */
  pairs: number;
  byEvaluator: Partial<Record<Exclude<Evaluator, 'llm-judge'>, PairedComparison>>;
  /** Adjusted over the table's family: every row and evaluator of this comparison. */
  adjusted: Partial<Record<Exclude<Evaluator, 'llm-judge'>, Adjusted>>;
  degreeAccuracy?: number;
  /** Every run of the row had no degree group: its SPO term never ran. */
  noDegreeGroups?: boolean;
}

export interface Comparison {
  spec: CompareSpec;
  rows: CompareRow[];
  /** Runs left out because their baseline run (same variant and seed) has not been run. */
  unpaired: string[];
}

/**
 * A run's value of a setting: "method", a method path ("spo.lambda", "params.beta") or a data path
 * ("data.labelTemperature").
 */
export function settingValue(r: RunResult, by: string): string {
  if (by === 'method') return r.run.methodName;
  if (by === 'seed') return String(r.run.seed);
  const v = by.startsWith('data.')
    ? getAtPath(r.run.variant.data, by.slice('data.'.length))
    : getAtPath(r.run.method, by);
  return v === undefined ? '(none)' : String(v);
}

const swept = (sweep: string, by: string) => sweep.split(' x ').includes(by);

export function compareRuns(results: readonly RunResult[], spec: CompareSpec): Comparison {
  const methods = spec.methods ?? [...new Set(results.map((r) => r.run.methodName))].filter((m) => m !== spec.baseline);
  let chosen = results.filter((r) => methods.includes(r.run.methodName));
  const sweepOf = (r: RunResult) => (spec.by.startsWith('data.') ? r.run.variant.sweep : r.run.sweep);
  if (chosen.some((r) => swept(sweepOf(r), spec.by))) chosen = chosen.filter((r) => swept(sweepOf(r), spec.by));
  const baselineRuns = results.filter((r) => r.run.methodName === spec.baseline);
  if (baselineRuns.length === 0)
    throw new Error(
      `compare: no runs of the baseline method "${spec.baseline}"; ` +
        `methods: ${[...new Set(results.map((r) => r.run.methodName))].join(', ')}`,
    );
  const baselineOf = (r: RunResult) =>
    baselineRuns.find(
      (b) =>
        b.run.variant.label === r.run.variant.label &&
        b.run.seed === r.run.seed &&
        (spec.by.startsWith('data.') ||
          !swept(b.run.sweep, spec.by) ||
          settingValue(b, spec.by) === settingValue(r, spec.by)),
    );
  const groups = new Map<string, RunResult[]>();
  for (const r of chosen) groups.set(settingValue(r, spec.by), [...(groups.get(settingValue(r, spec.by)) ?? []), r]);
  const unpaired: string[] = [];
  const rows: CompareRow[] = [];
  for (const [value, runs] of groups) {
    const paired = runs
      .map((r) => [r, baselineOf(r)] as const)
      .filter(([r, b]) => (b ? true : (unpaired.push(r.run.name), false))) as [RunResult, RunResult][];
    if (!paired.length) continue;
    const byEvaluator: CompareRow['byEvaluator'] = {};
    for (const evaluator of ['oracle', 'reward-model'] as const) {
      if (!paired.every(([r, b]) => r.eval.scores[evaluator] && b.eval.scores[evaluator])) continue;
      byEvaluator[evaluator] = pairedComparison(
        paired.map(([r]) => r.eval.scores[evaluator]!.policy),
        paired.map(([, b]) => b.eval.scores[evaluator]!.policy),
      );
    }
    const degree = paired.map(([r]) => r.degreeAccuracy).filter((x): x is number => x !== undefined);
    rows.push({
      value,
      runs: paired.map(([r]) => r.run.name),
      pairs: paired.length,
      byEvaluator,
      adjusted: {},
      ...(degree.length ? { degreeAccuracy: meanOf(degree) } : {}),
      ...(paired.every(([r]) => r.noDegreeGroups) ? { noDegreeGroups: true } : {}),
    });
  }
  const family = rows.flatMap((r) =>
    (['oracle', 'reward-model'] as const).filter((e) => r.byEvaluator[e]).map((e) => [r, e] as const),
  );
  adjustFamily(family.map(([r, e]) => r.byEvaluator[e]!)).forEach((a, i) => (family[i][0].adjusted[family[i][1]] = a));
  const numeric = rows.every((r) => !Number.isNaN(Number(r.value)));
  if (numeric) rows.sort((a, b) => Number(a.value) - Number(b.value));
  return { spec, rows, unpaired };
}
