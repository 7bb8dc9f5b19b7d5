// Every stage in order on a tiny copy of the quickstart: data -> sft -> rm -> train -> eval -> report.
// The report must hold one row per method and evaluator, and the reward model's held-out agreement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { readResultsCsv } from '@spo/reports';
import { parseExperimentConfig } from '../experiment-config.js';
import { dataStage } from './data-stage.js';
import { sftStage } from './sft-stage.js';
import { rewardModelStage } from './rm-stage.js';
import { trainStage } from './train-stage.js';
import { evalStage } from './eval-stage.js';
import { reportStage } from './report-stage.js';
import type { StageContext } from './context.js';

const quickstart = JSON.parse(readFileSync(new URL('../../../../experiments/quickstart/config.json', import.meta.url), 'utf8'));

test('pipeline: oracle and reward-model win rates for every method, and the reward model\'s agreement with the oracle', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
  process.env.SPO_CACHE_DIR = join(root, 'cache');
  const config = parseExperimentConfig({
    ...quickstart,
    name: 'tiny',
    data: { ...quickstart.data, sftExamples: 200, preferencePairs: 64, validationPairs: 32, evalPrompts: 20 },
    model: { ...quickstart.model, dModel: 16, nLayers: 1 },
    sft: { ...quickstart.sft, steps: 6, batchSize: 16, warmupSteps: 1 },
    rewardModel: { steps: 4, batchSize: 8, warmupSteps: 1, checkpointEvery: 2 },
    preference: { ...quickstart.preference, steps: 2, batchSize: 4, warmupSteps: 1, checkpointEvery: 2 },
  }, 'tiny');
  const ctx: StageContext = { config, configPath: 'tiny.json', runDir: join(root, 'runs'), reportDir: join(root, 'reports'), backend: await initBackend(undefined, () => {}), log: () => {} };
  await dataStage(ctx);
  sftStage(ctx);
  rewardModelStage(ctx);
  for (const m of config.methods) trainStage(ctx, m.name);
  await evalStage(ctx);
  reportStage(ctx, 'test');
  const rows = readResultsCsv(join(root, 'reports', 'results.csv'));
  assert.deepEqual(rows.map((r) => `${r.method}/${r.evaluator}`), ['dpo/oracle', 'dpo/reward-model', 'dpo-spo/oracle', 'dpo-spo/reward-model']);
  for (const r of rows) {
    assert.equal(r.n, 20);
    assert.equal(Number(r.wins) + Number(r.ties) + Number(r.losses), 20);
    assert.ok(Number(r.ci_low) <= Number(r.win_rate) && Number(r.win_rate) <= Number(r.ci_high));
  }
  const markdown = readFileSync(join(root, 'reports', 'results.md'), 'utf8');
  assert.match(markdown, /win rate vs sft: reward model \(95% CI\)/);
  assert.match(markdown, /On 32 held-out pairs it ranks the chosen response first [\d.]+% of the time and agrees with the oracle's order on [\d.]+% of \d+ pairs/);
});
