// From runs to the cells of the results tables. A cell is one method setting on one data variant,
// over its seeds; its value is the mean over seeds with a Student-t interval over the seed means
// (@spo/evaluators' seedStatistics). A +SPO cell is paired with its base method's cell (same loss and
// settings, no spo) on the same variant, seed by seed and prompt by prompt, and the pairs of one report
// are adjusted for multiplicity as one family (family.ts).
import { baseMethodKey } from '@spo/spo';
import { outcome, pairedComparison, seedStatistics, type PairedComparison, type SeedStatistics } from '@spo/evaluators';
import { pointLabel, readableJudgeOutcomes, type RunResult } from '@spo/experiment';
import { percentWithInterval } from '../markdown.js';
import { adjustFamily, type Adjusted } from './family.js';

export type Evaluator = 'oracle' | 'reward-model' | 'llm-judge';
export const EVALUATORS: readonly { key: Evaluator; title: string }[] = [
  { key: 'oracle', title: 'oracle' },
  { key: 'reward-model', title: 'reward model' },
  { key: 'llm-judge', title: 'LLM judge' },
];

export interface Cell {
  /** The method and its grid values: "dpo-spo", "dpo-spo.lambda=0.5". */
  label: string;
  methodName: string;
  variant: string;
  results: RunResult[];
}

export const cellLabel = (r: RunResult) => [r.run.methodName, pointLabel(r.run.settings)].filter(Boolean).join('.');

/** Runs grouped into cells, in plan order. */
export function cells(results: readonly RunResult[]): Cell[] {
  const out = new Map<string, Cell>();
  for (const r of results) {
    const key = `${r.run.variant.label}\u0000${cellLabel(r)}`;
    const cell = out.get(key) ?? {
      label: cellLabel(r),
      methodName: r.run.methodName,
      variant: r.run.variant.label,
      results: [],
    };
    cell.results.push(r);
    out.set(key, cell);
  }
  return [...out.values()];
}

/**
 * Per prompt: 1 when the policy's sample beats the baseline's by `evaluator`, ½ a tie, 0 a loss; for the
 * judge, the prompts whose verdicts could be read only.
 */
export function outcomesVsBaseline(r: RunResult, evaluator: Evaluator): number[] | undefined {
  if (evaluator === 'llm-judge') return r.eval.judge && readableJudgeOutcomes(r.eval.judge);
  const s = r.eval.scores[evaluator];
  return s?.policy.map((x, i) => outcome(x, s.baseline[i]));
}

/** Win rate against the baseline over a cell's seeds, or undefined where the evaluator did not run. */
export function winRateEstimate(cell: Cell, evaluator: Evaluator): SeedStatistics | undefined {
  const values = cell.results.map((r) => outcomesVsBaseline(r, evaluator));
  if (values.some((v) => v === undefined)) return undefined;
  // a seed with no readable verdict has no rate: the estimate is over the seeds that have one
  const scored = (values as number[][]).filter((v) => v.length > 0);
  if (scored.length === 0) return undefined;
  const s = seedStatistics(scored);
  // a rate: the interval stops at 0 and 1
  return { ...s, interval: { ...s.interval, low: Math.max(0, s.interval.low), high: Math.min(1, s.interval.high) } };
}

/** The judge's unreadable verdicts over a cell's runs, of how many. */
export function unreadableVerdicts(cell: Cell): { unreadable: number; judged: number } {
  const judged = cell.results.filter((r) => r.eval.judge);
  return {
    unreadable: judged.reduce((a, r) => a + r.eval.judge!.invalid, 0),
    judged: judged.reduce((a, r) => a + r.eval.judge!.outcomes.length, 0),
  };
}

/**
 * A reward model that cannot tell its own held-out pairs apart: the 95% interval of its validation
 * accuracy (normal approximation) holds 50%. Its column then says nothing about quality.
 */
export function rewardModelAtChance(validation?: { n: number; accuracy: number }): boolean {
  if (!validation || validation.n === 0) return false;
  const half = 1.96 * Math.sqrt((validation.accuracy * (1 - validation.accuracy)) / validation.n);
  return validation.accuracy - half <= 0.5 && 0.5 <= validation.accuracy + half;
}

/**
 * A win-rate cell, or what is wrong with it: no readable verdict, some unreadable (counted), a reward
 * model at chance, or an interval of zero width (every seed's rate the same: nothing to go on).
 */
export function winRateCell(cell: Cell, evaluator: Evaluator, atChance: boolean): string {
  const est = winRateEstimate(cell, evaluator);
  const { unreadable, judged } = unreadableVerdicts(cell);
  if (evaluator === 'llm-judge' && judged > 0 && unreadable === judged)
    return `no valid verdicts (${unreadable} unreadable)`;
  if (!est) return 'not run';
  const notes = [
    ...(evaluator === 'llm-judge' && unreadable > 0 ? [`${unreadable} of ${judged} unreadable, left out`] : []),
    ...(evaluator === 'reward-model' && atChance ? ['reward model at chance'] : []),
    ...(est.seeds > 1 && est.interval.high - est.interval.low === 0 ? ['degenerate interval'] : []),
  ];
  return (
    `${percentWithInterval(est.mean, est.interval.low, est.interval.high)} (${est.seeds})` +
    (notes.length ? `; ${notes.join('; ')}` : '')
  );
}

/** What a +SPO run and its base must share: the data variant and the method apart from SPO. */
const twinKey = (r: RunResult) => `${r.run.variant.label}\u0000${baseMethodKey(r.run.method)}`;

/** The base cell of each +SPO cell: same variant, loss and settings without spo; undefined when the config has none. */
export function twinOf(cell: Cell, all: readonly Cell[]): Cell | undefined {
  const spoRun = cell.results[0];
  if (!spoRun.run.method.spo) return undefined;
  return all.find((c) => !c.results[0].run.method.spo && twinKey(c.results[0]) === twinKey(spoRun));
}

export interface Paired {
  treatment: Cell;
  control: Cell;
  evaluator: Exclude<Evaluator, 'llm-judge'>;
  comparison: PairedComparison;
  /** Adjusted over the report's +SPO family (every row of spoPairs). */
  adjusted: Adjusted;
  seeds: number[];
}

/** Treatment against control on the seeds both have, prompt by prompt, by a score evaluator. */
export function pair(
  treatment: Cell,
  control: Cell,
  evaluator: Paired['evaluator'],
): Omit<Paired, 'adjusted'> | undefined {
  const bySeed = new Map(control.results.map((r) => [r.run.seed, r]));
  const both = treatment.results.filter(
    (r) => bySeed.has(r.run.seed) && r.eval.scores[evaluator] && bySeed.get(r.run.seed)!.eval.scores[evaluator],
  );
  if (both.length === 0) return undefined;
  const t = both.map((r) => r.eval.scores[evaluator]!.policy);
  const c = both.map((r) => bySeed.get(r.run.seed)!.eval.scores[evaluator]!.policy);
  return {
    treatment,
    control,
    evaluator,
    comparison: pairedComparison(t, c),
    seeds: both.map((r) => r.run.seed),
  };
}

export const meanOf = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * What the eval's baseline is, in words: the SFT model, the pretrained model it starts from
 * unchanged, or the dataset's chosen responses.
 */
export function baselineName(config: {
  eval: { baseline: 'sft' | 'chosen' };
  model: object;
  sft: { steps: number };
}): string {
  if (config.eval.baseline === 'chosen') return "the dataset's chosen responses";
  if ('from' in config.model)
    return config.sft.steps === 0 ? 'the pretrained model' : 'the SFT model (from the pretrained model)';
  return 'the SFT model';
}

/**
 * Every +SPO cell against its base cell, by oracle and by reward model: the paired table's rows and the
 * paired-differences figure's points. A cell made only of runs that are another sweep's (the shared
 * default) is compared once, where it is its own.
 */
export function spoPairs(all: readonly Cell[]): Paired[] {
  const pairs = all
    .filter((c) => !c.results.every((r) => r.run.sameAs !== undefined))
    .flatMap((c) => {
      const twin = twinOf(c, all);
      return twin
        ? (['oracle', 'reward-model'] as const)
            .map((e) => pair(c, twin, e))
            .filter((p): p is Omit<Paired, 'adjusted'> => p !== undefined)
        : [];
    });
  const adjusted = adjustFamily(pairs.map((p) => p.comparison));
  return pairs.map((p, i) => ({ ...p, adjusted: adjusted[i] }));
}
