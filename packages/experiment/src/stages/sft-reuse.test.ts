// A data grid over the preference pairs' label noise, two seeds: the variants of one seed share their
// demonstrations, so the second one's SFT stage copies the first's model instead of training it, and
// that copy is what training it would have given, byte for byte; a variant of another seed trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { parseExperimentConfig } from '../plan/experiment-config.js';
import { planExperiment } from '../plan/plan.js';
import { isStageDone } from '../results/stage-record.js';
import { numericsPath, type StageContext } from './context.js';
import { dataStage } from './data-stage.js';
import { sftStage } from './sft-stage.js';

const backend = await initBackend(undefined, () => {});

test("a variant whose SFT inputs another variant trained from copies that model; another seed's trains", async () => {
  const root = mkdtempSync(join(tmpdir(), 'sft-reuse-'));
  process.env.SPO_CACHE_DIR = join(root, 'cache');
  const config = parseExperimentConfig(
    {
      name: 'sft-reuse',
      seeds: [1, 2],
      data: { source: 'synthetic', task: 'summarization', sftExamples: 64, preferencePairs: 32, evalPrompts: 4 },
      grid: { 'data.labelTemperature': [0.25, 1] },
      model: { dModel: 16, nLayers: 1, nHeads: 2, maxPositions: 64 },
      sft: { steps: 3, batchSize: 8, warmupSteps: 1 },
      preference: { steps: 1, batchSize: 4, warmupSteps: 0 },
      methods: [{ name: 'dpo', loss: 'dpo' }],
    },
    'sft-reuse',
  );
  const lines: string[] = [];
  const ctx = (force = false): StageContext => ({
    config,
    configPath: 'sft-reuse.json',
    plan: planExperiment(config, join(root, 'runs'), numericsPath(backend)),
    reportDir: join(root, 'reports'),
    backend,
    log: (line) => lines.push(line),
    force,
  });
  const [t025s1, t025s2, t1s1] = ctx().plan.variants;
  assert.deepEqual(
    [t025s1, t025s2, t1s1].map((v) => v.id),
    ['labelTemperature=0.25.seed=1', 'labelTemperature=0.25.seed=2', 'labelTemperature=1.seed=1'],
  );
  assert.notEqual(t1s1.hashes.sft, t025s1.hashes.sft, 'the stages hash apart: their pairs differ');
  for (const v of [t025s1, t025s2, t1s1]) {
    await dataStage(ctx(), v);
    await sftStage(ctx(), v);
    assert.ok(isStageDone({ dir: v.dirs.sft, hash: v.hashes.sft }), `${v.id}: SFT done`);
  }
  const copied = lines.filter((l) => l.includes('its model copied'));
  assert.equal(copied.length, 1, lines.join('\n'));
  assert.match(
    copied[0],
    /^\[sft labelTemperature=1\.seed=1\] .*labelTemperature=0\.25\.seed=1\/sft: its model copied$/,
  );
  const model = (dir: string) => readFileSync(join(dir, 'final', 'model.safetensors'));
  assert.ok(model(t1s1.dirs.sft).equals(model(t025s1.dirs.sft)));
  assert.ok(!model(t025s2.dirs.sft).equals(model(t025s1.dirs.sft)), 'seed 2 trained its own model');

  // --force trains it after all: the very model the copy is
  lines.length = 0;
  await sftStage(ctx(true), t1s1);
  assert.equal(lines.filter((l) => l.includes('its model copied')).length, 0);
  assert.ok(model(t1s1.dirs.sft).equals(model(t025s1.dirs.sft)), 'training gives the copied model, byte for byte');
});
