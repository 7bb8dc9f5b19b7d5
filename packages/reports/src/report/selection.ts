// Tuning: for an experiment evaluated on validation prompts (eval.prompts "validation"), each method's
// grid point with the highest mean score, per data variant, by the rule stated here and in the report.
// chosen.json lists the winners as entries of a config's "tuned" section (plan/tuned.ts), so the
// experiment that uses them copies them verbatim and a test checks that it did.
import { join } from 'node:path';
import { writeFileAtomic } from '@spo/engine';
import { seedStatistics, type SeedStatistics } from '@spo/evaluators';
import { pointLabel, type ExperimentPlan } from '@spo/experiment';
import { methodLossLabel } from '@spo/trainer';
import { markdownTable } from '../markdown.js';
import type { Cell } from './cells.js';

export const SELECTION_RULE =
  "the grid point whose policy has the highest mean oracle score on the validation prompts (each seed's " +
  'mean over its prompts, averaged over seeds); a tie goes to the point listed first';

type Value = string | number | boolean;

export interface Choice {
  variant: string;
  where: Record<string, Value>;
  methodName: string;
  loss: string;
  /** Every point of the method's grid, in grid order, with its score and its gain over the baseline. */
  points: { label: string; settings: Record<string, Value>; score: SeedStatistics; gain: SeedStatistics }[];
  chosen: number;
}

const oracleScores = (c: Cell, side: 'policy' | 'baseline') =>
  c.results.every((r) => r.eval.scores.oracle) ? c.results.map((r) => r.eval.scores.oracle![side]) : undefined;

/** One choice per data variant and method with a grid, over the cells the oracle scored. */
export function selectSettings(all: readonly Cell[]): Choice[] {
  const groups = new Map<string, Cell[]>();
  for (const c of all) {
    if (c.results[0].run.method.spo || Object.keys(c.results[0].run.settings).length === 0) continue;
    const key = `${c.variant}\u0000${c.methodName}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const choices: Choice[] = [];
  for (const group of groups.values()) {
    const points = group.flatMap((c) => {
      const policy = oracleScores(c, 'policy'),
        baseline = oracleScores(c, 'baseline');
      if (!policy || !baseline) return [];
      const gain = policy.map((p, s) => p.map((x, i) => x - baseline[s][i]));
      const settings = c.results[0].run.settings;
      return [{ label: pointLabel(settings), settings, score: seedStatistics(policy), gain: seedStatistics(gain) }];
    });
    if (points.length === 0) continue;
    let chosen = 0;
    points.forEach((p, i) => {
      if (p.score.mean > points[chosen].score.mean) chosen = i;
    });
    const run = group[0].results[0].run;
    choices.push({
      variant: group[0].variant,
      where: run.variant.settings,
      methodName: group[0].methodName,
      loss: methodLossLabel(run.method),
      points,
      chosen,
    });
  }
  return choices;
}

const signed = (x: number, d = 3) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;

export function selectionMarkdown(choices: readonly Choice[], several: boolean): string[] {
  if (choices.length === 0) return [];
  const md = ['## Chosen settings', '', `Selection rule, fixed before the runs: ${SELECTION_RULE}.`, ''];
  md.push(
    markdownTable(
      [
        ...(several ? ['data'] : []),
        'method',
        'chosen',
        'oracle score',
        'gain over the baseline (95% CI)',
        'every point: gain',
      ],
      choices.map((c) => {
        const best = c.points[c.chosen];
        return [
          ...(several ? [c.variant] : []),
          c.methodName,
          best.label,
          best.score.mean.toFixed(3).replace('-', '−'),
          `${signed(best.gain.mean)} [${signed(best.gain.interval.low)}, ${signed(best.gain.interval.high)}]`,
          c.points
            .map(
              (p, i) => `${i === c.chosen ? '**' : ''}${p.label} ${signed(p.gain.mean)}${i === c.chosen ? '**' : ''}`,
            )
            .join('; '),
        ];
      }),
    ),
    '',
    'The gain is the policy minus the baseline, paired prompt by prompt, on the validation prompts; it ' +
      'picks a setting, it is not a test result. `chosen.json` holds the winners as "tuned" entries.',
    '',
  );
  return md;
}

/** The winners as a config's "tuned" entries, with where they came from. */
export function writeChosen(reportDir: string, plan: ExperimentPlan, choices: readonly Choice[]): void {
  const entries = choices.map((c) => ({
    where: c.where,
    loss: c.loss,
    set: c.points[c.chosen].settings,
    from: `reports/${plan.config.name}/chosen.json`,
  }));
  writeFileAtomic(
    join(reportDir, 'chosen.json'),
    `${JSON.stringify({ rule: SELECTION_RULE, seeds: plan.config.seeds, tuned: entries }, null, 2)}\n`,
  );
}
