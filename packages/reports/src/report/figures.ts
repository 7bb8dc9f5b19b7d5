// The report's figures, built from the same results as its tables and from each run's metrics.jsonl:
// training curves (seeds thin, their mean thick), win rates with intervals, the paired +SPO − base
// differences with zero marked, each comparison's metric against the swept value, and the degree
// head's confusion matrix. Each is rendered to reports/<experiment>/figures/<name>.{vl.json,svg,png}.
import { join } from 'node:path';
import { readMetrics, type MetricsRow } from '@spo/trainer';
import {
  confusionSpec,
  pairedDifferencesSpec,
  sweepSpec,
  trainingCurvesSpec,
  winRatesSpec,
  type ConfusionCell,
  type CurvePoint,
  type VegaLiteSpec,
} from '../figures/specs.js';
import type { ExperimentPlan, RunResult } from '@spo/experiment';
import { baselineName, cells, EVALUATORS, spoPairs, winRateEstimate } from './cells.js';
import { compareRuns } from './compare.js';

export interface FigureSpec {
  name: string;
  title: string;
  caption: string;
  spec: VegaLiteSpec;
}

/** The metrics the curves show, where a run logs them. */
const CURVE_METRICS = ['loss', 'rewards/margins', 'rewards/accuracies', 'degree/accuracy', 'kl/policy_ref'];
/** Points per run and metric: enough for the shape, small enough to inline in the page. */
const POINTS_PER_CURVE = 30;

const round = (x: number) => Number(x.toPrecision(4));

/** One run's metrics log as curve points: about `pointsPerRun` steps (the last always), the curve metrics it has. */
export function curvePointsOf(
  rows: readonly MetricsRow[],
  run: { method: string; run: string; seed: number },
  pointsPerRun = POINTS_PER_CURVE,
): CurvePoint[] {
  const every = Math.max(1, Math.ceil(rows.length / pointsPerRun));
  return rows.flatMap((row, i) =>
    i % every !== 0 && i !== rows.length - 1
      ? []
      : CURVE_METRICS.flatMap((metric) => {
          const value = row[metric];
          return typeof value === 'number' && Number.isFinite(value)
            ? [{ ...run, step: row.step, metric, value: round(value) }]
            : [];
        }),
  );
}

function curvePoints(results: readonly RunResult[]): CurvePoint[] {
  return results
    .filter((r) => r.run.sameAs === undefined)
    .flatMap((r) =>
      curvePointsOf(readMetrics(join(r.run.dir, 'metrics.jsonl')), {
        method: [
          r.run.variant.label !== 'default' ? r.run.variant.label : '',
          r.run.methodName,
          ...Object.entries(r.run.settings).map(([k, v]) => `${k.split('.').at(-1)}=${v}`),
        ]
          .filter(Boolean)
          .join(' '),
        run: r.run.name,
        seed: r.run.seed,
      }),
    );
}

export function reportFigures(plan: ExperimentPlan, results: readonly RunResult[]): FigureSpec[] {
  const all = cells(results);
  const several = new Set(plan.variants.map((v) => v.label)).size > 1;
  const panel = (variant: string, evaluator: string) => (several ? `${variant}: ${evaluator}` : evaluator);
  const figures: FigureSpec[] = [];

  const curves = curvePoints(results);
  if (curves.length) {
    figures.push({
      name: 'training-curves',
      title: 'Training curves',
      caption:
        'Loss, reward margin and accuracy, and (SPO runs) degree accuracy per step, every run overlaid: ' +
        'thin lines are seeds, thick lines the mean over seeds. Click a method in the legend to pick it out.',
      spec: trainingCurvesSpec(curves, `${plan.config.name}: training curves`),
    });
  }

  const winRows = all.flatMap((c) =>
    EVALUATORS.flatMap((e) => {
      const est = winRateEstimate(c, e.key);
      return est
        ? [
            {
              label: c.label,
              spo: c.results[0].run.method.spo !== undefined,
              panel: panel(c.variant, e.title),
              mean: est.mean,
              low: est.interval.low,
              high: est.interval.high,
              seeds: est.seeds,
            },
          ]
        : [];
    }),
  );
  const baseline = baselineName(plan.config);
  if (winRows.length) {
    figures.push({
      name: 'win-rates',
      title: `Win rate against ${baseline}`,
      caption:
        `Each method's win rate against ${baseline}${plan.config.eval.baseline === 'sft' ? "'s samples" : ''} ` +
        `on the same held-out prompts, mean over seeds, with 95% Student-t intervals over the seed means.`,
      spec: winRatesSpec(winRows, `${plan.config.name}: win rate against ${baseline}`),
    });
  }

  const paired = spoPairs(all);
  if (paired.length) {
    figures.push({
      name: 'paired-differences',
      title: '+SPO against its base method',
      caption:
        "Mean score difference of each +SPO method's samples over its base method's, " +
        'paired on the same data, seeds, prompts and sampling streams, with 95% Student-t intervals over ' +
        "seeds; zero is marked, and a filled point is significant after Holm's adjustment over the points.",
      spec: pairedDifferencesSpec(
        paired.map((p) => ({
          label: `${several ? `${p.treatment.variant}: ` : ''}${p.treatment.label} − ${p.control.label}`,
          panel: p.evaluator === 'oracle' ? 'oracle' : 'reward model',
          mean: p.comparison.difference.mean,
          low: p.comparison.difference.interval.low,
          high: p.comparison.difference.interval.high,
          significant: p.adjusted.significant,
        })),
        `${plan.config.name}: +SPO − base`,
        'score difference (+SPO − base)',
      ),
    });
  }

  for (const spec of plan.config.compare) {
    const c = compareRuns(results, spec);
    const rows = c.rows.flatMap((r) =>
      Object.entries(r.byEvaluator).map(([e, x]) => ({
        label: r.value,
        panel: e === 'oracle' ? 'oracle' : 'reward model',
        mean: x.difference.mean,
        low: x.difference.interval.low,
        high: x.difference.interval.high,
      })),
    );
    if (!rows.length) continue;
    const name = `sweep-${spec.by.replace(/[^A-Za-z0-9]+/g, '-')}`;
    figures.push({
      name,
      title: spec.title ?? `${spec.by} against ${spec.baseline}`,
      caption:
        `The mean score difference from the ${spec.baseline} run on the same data and seed at ` +
        `each value of ${spec.by}, with its 95% interval over seeds and prompts; zero is marked.`,
      spec: sweepSpec(
        rows,
        spec.by,
        `${plan.config.name}: ${spec.title ?? spec.by}`,
        `score difference vs ${spec.baseline}`,
      ),
    });
  }

  const confusion: ConfusionCell[] = [];
  for (const c of all) {
    const counts: number[][] = [];
    for (const r of c.results) {
      r.degreeConfusion?.counts.forEach((row, t) =>
        row.forEach((n, p) => ((counts[t] ??= [])[p] = (counts[t]?.[p] ?? 0) + n)),
      );
    }
    counts.forEach((row, t) => {
      const total = row.reduce((a, b) => a + b, 0);
      row.forEach((n, p) =>
        confusion.push({
          panel: several ? `${c.variant}: ${c.label}` : c.label,
          truth: t,
          predicted: p,
          count: n,
          share: total ? round(n / total) : 0,
        }),
      );
    });
  }
  if (confusion.length) {
    figures.push({
      name: 'degree-confusion',
      title: 'Degree head: confusion between levels',
      caption:
        "For each +SPO method, how the final model's degree head (or its likelihood ranking) places " +
        'the degree variants of the first 256 training responses, summed over seeds. A level that ' +
        'came out empty or equal to the level above is left out of its group, so its row may be empty.',
      spec: confusionSpec(confusion, `${plan.config.name}: degree confusion`),
    });
  }
  return figures;
}
