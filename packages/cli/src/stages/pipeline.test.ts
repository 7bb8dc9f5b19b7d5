// Every stage in order on a tiny copy of the quickstart: data -> sft -> rm -> train -> eval -> report,
// with all three evaluators: the oracle, the reward model, and an LLM judge that is `spo serve` over the
// SFT checkpoint on loopback. The report must hold one row per method and evaluator, the reward model's
// held-out agreement, and the judge's counts with every item accounted for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { readResultsCsv } from '@spo/reports';
import { parseExperimentConfig } from '../experiment-config.js';
import { startChatServer } from '../serve/chat-server.js';
import { dataStage } from './data-stage.js';
import { sftStage } from './sft-stage.js';
import { rewardModelStage } from './rm-stage.js';
import { trainStage } from './train-stage.js';
import { evalStage } from './eval-stage.js';
import { reportStage } from './report-stage.js';
import type { StageContext } from './context.js';

const quickstart = JSON.parse(readFileSync(new URL('../../../../experiments/quickstart/config.json', import.meta.url), 'utf8'));

test('pipeline: oracle, reward-model and judge win rates for every method, and the reward model\'s agreement with the oracle', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
  process.env.SPO_CACHE_DIR = join(root, 'cache');
  const raw = {
    ...quickstart,
    name: 'tiny',
    data: { ...quickstart.data, sftExamples: 200, preferencePairs: 64, validationPairs: 32, evalPrompts: 20 },
    model: { ...quickstart.model, dModel: 16, nLayers: 1 },
    sft: { ...quickstart.sft, steps: 6, batchSize: 16, warmupSteps: 1 },
    rewardModel: { steps: 4, batchSize: 8, warmupSteps: 1, checkpointEvery: 2 },
    preference: { ...quickstart.preference, steps: 2, batchSize: 4, warmupSteps: 1, checkpointEvery: 2 },
  };
  const ctx: StageContext = { config: parseExperimentConfig(raw, 'tiny'), configPath: 'tiny.json', runDir: join(root, 'runs'), reportDir: join(root, 'reports'), backend: await initBackend(undefined, () => {}), log: () => {} };
  await dataStage(ctx);
  await sftStage(ctx);
  await rewardModelStage(ctx);
  for (const m of ctx.config.methods) await trainStage(ctx, m.name);
  const judge = await startChatServer({ checkpoint: join(root, 'runs', 'sft', 'final'), host: '127.0.0.1', port: 0, format: 'raw', modelName: 'sft', log: () => {} });
  try {
    ctx.config = parseExperimentConfig({ ...raw, eval: { ...raw.eval, judge: { baseUrl: judge.url, model: 'sft', maxTokens: 4, template: 'summarization', cacheDir: join(root, 'judge-cache') } } }, 'tiny');
    await evalStage(ctx);
  } finally {
    await judge.close();
  }
  reportStage(ctx, 'test');
  const rows = readResultsCsv(join(root, 'reports', 'results.csv'));
  assert.deepEqual(rows.map((r) => `${r.method}/${r.evaluator}`), ['dpo/oracle', 'dpo/reward-model', 'dpo/llm-judge', 'dpo-spo/oracle', 'dpo-spo/reward-model', 'dpo-spo/llm-judge']);
  for (const r of rows) {
    assert.equal(r.n, 20);
    assert.equal(Number(r.wins) + Number(r.ties) + Number(r.losses) + Number(r.invalid || 0), 20, `${r.method}/${r.evaluator}: every item counted`);
    assert.ok(Number(r.ci_low) <= Number(r.win_rate) && Number(r.win_rate) <= Number(r.ci_high));
  }
  const markdown = readFileSync(join(root, 'reports', 'results.md'), 'utf8');
  assert.match(markdown, /win rate vs sft: reward model \(95% CI\)/);
  assert.match(markdown, /win rate vs sft: LLM judge \(95% CI\)/);
  assert.match(markdown, /LLM judge: sft, template "summarization", answer order drawn per item; \d+ unreadable verdicts counted as ties/);
  const judgments = readFileSync(join(root, 'runs', 'eval', 'judgments-dpo.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(judgments.length, 20);
  assert.ok(judgments.every((j) => j.orders.length === 1 && ['policy-first', 'baseline-first'].includes(j.orders[0])), 'the order of each item is recorded');
  assert.match(markdown, /On 32 held-out pairs it ranks the chosen response first [\d.]+% of the time and agrees with the oracle's order on [\d.]+% of \d+ pairs/);
});
