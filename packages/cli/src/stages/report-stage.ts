// Turn the eval stage's results into reports/<experiment>/results.csv and results.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@spo/engine';
import { markdownTable, percentWithInterval, writeResultsCsv, type ResultRow } from '@spo/reports';
import { requireDone } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';
import type { EvalResults } from './eval-stage.js';

export function reportStage(ctx: StageContext, command: string): void {
  const dirs = stageDirs(ctx);
  requireDone(dirs.eval, 'eval');
  const results = JSON.parse(readFileSync(join(dirs.eval.dir, 'results.json'), 'utf8')) as EvalResults;
  const { config } = ctx;
  const rows: ResultRow[] = results.methods.map((m) => ({
    experiment: config.name, method: m.name, loss: m.loss, spo: m.spo, seed: config.seed, evaluator: results.evaluator,
    baseline: results.baseline, n: m.winRate.n, win_rate: m.winRate.winRate, ci_low: m.winRate.interval.low,
    ci_high: m.winRate.interval.high, wins: m.winRate.wins, ties: m.winRate.ties, losses: m.winRate.losses,
    mean_score: m.winRate.meanPolicyScore, baseline_mean_score: m.winRate.meanBaselineScore, train_steps: m.trainSteps,
    train_tokens_per_s: Math.round(m.trainTokensPerSecond), degree_accuracy: m.degreeAccuracy ?? '', config_hash: dirs.method(m.name).hash, backend: ctx.backend.name,
  }));
  writeResultsCsv(join(ctx.reportDir, 'results.csv'), rows);
  const table = markdownTable(
    ['method', 'loss', '+SPO', `win rate vs SFT (${results.evaluator}, 95% CI)`, 'wins / ties / losses', 'mean oracle reward', 'degree accuracy', 'train steps', 'train tokens/s'],
    [
      ['sft (baseline)', '-', '-', '-', '-', results.sftMeanScore.toFixed(3), '-', String(config.sft.steps), '-'],
      ...results.methods.map((m) => [
        m.name, m.loss, m.spo ? 'yes' : 'no', percentWithInterval(m.winRate.winRate, m.winRate.interval.low, m.winRate.interval.high),
        `${m.winRate.wins} / ${m.winRate.ties} / ${m.winRate.losses}`, m.winRate.meanPolicyScore.toFixed(3),
        m.degreeAccuracy === undefined ? '-' : m.degreeAccuracy.toFixed(3), String(m.trainSteps), String(Math.round(m.trainTokensPerSecond)),
      ]),
    ],
  );
  const markdown = [
    `# ${config.name}: results`,
    '',
    config.description,
    '',
    table,
    '',
    `Win rate: each policy's sample against the SFT model's sample on the same ${results.n} held-out prompts, scored by the task's oracle reward; a tie counts ½. Intervals: percentile bootstrap over prompts, ${config.eval.bootstrapResamples} resamples.`,
    '',
    '| | |',
    '| --- | --- |',
    `| reproduce with | \`${command}\` |`,
    `| config | \`${ctx.configPath}\` (eval hash \`${dirs.eval.hash}\`) |`,
    `| seed | ${config.seed} |`,
    `| backend | ${ctx.backend.name} |`,
    config.data.source === 'synthetic'
      ? `| task | synthetic ${config.data.task}, label temperature ${config.data.labelTemperature} |`
      : `| data | ${config.data.format}: ${config.data.files.map((f) => (typeof f === 'string' ? f : f.path)).join(', ')} |`,
    '',
  ].join('\n');
  writeFileAtomic(join(ctx.reportDir, 'results.md'), markdown);
  ctx.log(`[report] wrote ${join(ctx.reportDir, 'results.csv')} and results.md\n\n${table}\n`);
}
