// Turn the eval stage's results into reports/<experiment>/results.csv (one row per method and
// evaluator) and results.md (one row per method, a column per evaluator).
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '@spo/engine';
import { markdownTable, percentWithInterval, writeResultsCsv, type ResultRow } from '@spo/reports';
import type { JudgeWinRate, WinRate } from '@spo/evaluators';
import { requireDone } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';
import type { EvalResults, MethodResults } from './eval-stage.js';

const EVALUATORS = [
  { key: 'oracle', name: 'oracle', title: 'oracle' },
  { key: 'rewardModel', name: 'reward-model', title: 'reward model' },
  { key: 'judge', name: 'llm-judge', title: 'LLM judge' },
] as const;

export function reportStage(ctx: StageContext, command: string): void {
  const dirs = stageDirs(ctx);
  requireDone(dirs.eval, 'eval');
  const results = readJsonFile<EvalResults>(join(dirs.eval.dir, 'results.json'), 'run the eval stage again with --force');
  const { config } = ctx;
  const present = EVALUATORS.filter((e) => results.methods.some((m) => m[e.key] !== undefined));
  const rows: ResultRow[] = results.methods.flatMap((m) => present.flatMap((e) => {
    const w = m[e.key] as WinRate | JudgeWinRate | undefined;
    if (!w) return [];
    const scores = 'meanPolicyScore' in w ? w : undefined;
    return [{
      experiment: config.name, method: m.name, loss: m.loss, spo: m.spo, seed: config.seed, evaluator: e.name, baseline: results.baseline,
      n: w.n, win_rate: w.winRate, ci_low: w.interval.low, ci_high: w.interval.high, wins: w.wins, ties: w.ties, losses: w.losses,
      invalid: 'invalid' in w ? w.invalid : '', mean_score: scores?.meanPolicyScore ?? '', baseline_mean_score: scores?.meanBaselineScore ?? '',
      train_steps: m.trainSteps, train_tokens_per_s: Math.round(m.trainTokensPerSecond), degree_accuracy: m.degreeAccuracy ?? '',
      config_hash: dirs.method(m.name).hash, backend: ctx.backend.name,
    }];
  }));
  writeResultsCsv(join(ctx.reportDir, 'results.csv'), rows);

  const cell = (w: WinRate | JudgeWinRate | undefined) => (w ? percentWithInterval(w.winRate, w.interval.low, w.interval.high) : 'not run');
  const hasRm = present.some((e) => e.key === 'rewardModel');
  const table = markdownTable(
    ['method', 'loss', '+SPO', ...present.map((e) => `win rate vs ${results.baseline}: ${e.title} (95% CI)`), ...(hasRm ? ['reward − baseline reward'] : []), 'degree accuracy', 'train steps', 'train tokens/s'],
    results.methods.map((m: MethodResults) => [
      m.name, m.loss, m.spo ? 'yes' : 'no', ...present.map((e) => cell(m[e.key])),
      ...(hasRm ? [m.rewardModel ? (m.rewardModel.meanPolicyScore - m.rewardModel.meanBaselineScore).toFixed(3) : 'not run'] : []),
      m.degreeAccuracy === undefined ? '-' : m.degreeAccuracy.toFixed(3), String(m.trainSteps), String(Math.round(m.trainTokensPerSecond)),
    ]),
  );
  const baselineText = results.baseline === 'sft' ? 'the SFT model\'s sample' : 'the dataset\'s chosen response';
  const notes = [
    `Win rate: each policy's sample against ${baselineText} on the same ${results.n} held-out prompts; a win counts 1, a tie ½. Intervals: percentile bootstrap over prompts, ${config.eval.bootstrapResamples} resamples.`,
  ];
  if (results.baselineMeanScore.oracle !== undefined) notes.push(`Oracle: the synthetic task's reward; the baseline's mean is ${results.baselineMeanScore.oracle.toFixed(3)}.`);
  if (results.rewardModel) {
    const v = results.rewardModel.validation;
    notes.push(`Reward model: ${results.rewardModel.label}; the baseline's mean reward is ${results.baselineMeanScore['reward-model']!.toFixed(3)}.` + (v
      ? ` On ${v.n} held-out pairs it ranks the chosen response first ${(100 * v.accuracy).toFixed(1)}% of the time${v.oracleAgreement !== undefined ? ` and agrees with the oracle's order on ${(100 * v.oracleAgreement).toFixed(1)}% of ${v.oraclePairs} pairs` : ''}.`
      : ''));
  }
  if (results.judge) {
    const usage = results.methods.reduce((u, m) => ({ requests: u.requests + (m.judge?.usage.requests ?? 0), tokens: u.tokens + (m.judge ? m.judge.usage.promptTokens + m.judge.usage.completionTokens : 0), invalid: u.invalid + (m.judge?.invalid ?? 0) }), { requests: 0, tokens: 0, invalid: 0 });
    notes.push(`LLM judge: ${results.judge.model}, template "${results.judge.template}", ${results.judge.bothOrders ? 'both answer orders per item (a disagreement is a tie)' : 'answer order drawn per item'}; ${usage.invalid} unreadable verdicts counted as ties; the last run sent ${usage.requests} requests (${usage.tokens} tokens), the rest came from the cache.`);
  }
  const markdown = [
    `# ${config.name}: results`,
    '',
    config.description,
    '',
    table,
    '',
    ...notes.flatMap((n) => [n, '']),
    '| | |',
    '| --- | --- |',
    `| reproduce with | \`${command}\` |`,
    `| config | \`${ctx.configPath}\` (eval hash \`${dirs.eval.hash}\`) |`,
    `| seed | ${config.seed} |`,
    `| backend | ${ctx.backend.name} (matmul: ${ctx.backend.matmul}) |`,
    config.data.source === 'synthetic'
      ? `| task | synthetic ${config.data.task}, label temperature ${config.data.labelTemperature} |`
      : `| data | ${config.data.format}: ${config.data.files.map((f) => (typeof f === 'string' ? f : f.path)).join(', ')} |`,
    '',
  ].join('\n');
  writeFileAtomic(join(ctx.reportDir, 'results.md'), markdown);
  ctx.log(`[report] wrote ${join(ctx.reportDir, 'results.csv')} and results.md\n\n${table}\n`);
}
