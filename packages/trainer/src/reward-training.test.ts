import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { initCausalLM, RewardModel, loadRewardModel } from '@spo/model';
import { prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { RewardModelConfigSchema, pairAgreement, readMetrics, trainRewardModel } from './index.js';

await initBackend(undefined, () => {});
const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    source: 'synthetic',
    task: 'summarization',
    sftExamples: 4,
    preferencePairs: 256,
    validationPairs: 128,
    evalPrompts: 4,
    labelTemperature: 0.05,
  }),
  1,
);
const shape = { vocabSize: ds.tokenizer.size, maxPositions: 64, dModel: 16, nLayers: 1, nHeads: 2, layerNormEps: 1e-5 };
const tmp = () => mkdtempSync(join(tmpdir(), 'rm-'));
const values = (rm: RewardModel) => [...rm.variables().values()].map((v) => Array.from(v.dataSync()));

test('pair agreement: ties count ½, oracle agreement skips oracle ties (hand-computed)', () => {
  const a = pairAgreement(Float32Array.from([2, 1, 0]), Float32Array.from([1, 1, 3]), [
    { chosen: 1, rejected: 0 },
    { chosen: 0, rejected: 1 },
    { chosen: 5, rejected: 5 },
  ]);
  assert.equal(a.accuracy, (1 + 0.5 + 0) / 3);
  assert.equal(a.meanMargin, (1 + 0 - 3) / 3);
  assert.deepEqual([a.oracleAgreement, a.oraclePairs], [(1 + 0.5) / 2, 2]);
});

test('reward model: Bradley-Terry loss falls, every parameter changes, held-out accuracy beats chance', () => {
  const rm = RewardModel.fromLanguageModel(initCausalLM(shape, 1), 1);
  const before = values(rm);
  const dir = tmp();
  const config = RewardModelConfigSchema.parse({
    steps: 80,
    batchSize: 16,
    lr: 3e-3,
    warmupSteps: 5,
    checkpointEvery: 40,
  });
  const { validation } = trainRewardModel({
    model: rm,
    tokenizer: ds.tokenizer,
    pairs: ds.preferences,
    validation: ds.validation,
    config,
    seed: 1,
    dir,
    log: () => {},
  });
  const m = readMetrics(join(dir, 'metrics.jsonl'));
  const mean = (rows: typeof m) => rows.reduce((s, r) => s + r.loss, 0) / rows.length;
  assert.ok(mean(m.slice(-10)) < mean(m.slice(0, 10)) - 0.05, `loss ${mean(m.slice(0, 10))} -> ${mean(m.slice(-10))}`);
  // The final norm's bias adds score·bias to both rewards of a pair, so Bradley-Terry's loss has no
  // gradient for it: it stays put (exactly, on the fused path; the composed ops' rounding nudges it).
  const names = [...rm.variables().keys()];
  values(rm).forEach((v, i) => {
    if (names[i] === 'ln_f.bias')
      assert.ok(
        v.every((x, j) => Math.abs(x - before[i][j]) < 2e-3),
        'ln_f.bias moved',
      );
    else assert.notDeepEqual(v, before[i], `parameter ${names[i]} unchanged`);
  });
  assert.ok(
    validation && validation.n === 128 && validation.accuracy > 0.6,
    `held-out accuracy ${validation?.accuracy}`,
  );
  assert.ok(validation.oracleAgreement! > 0.6, `oracle agreement ${validation.oracleAgreement}`);
  assert.equal(
    readFileSync(join(dir, 'validation.jsonl'), 'utf8').trim().split('\n').length,
    2,
    'logged at step 40 and at the end',
  );
  assert.ok(existsSync(join(dir, 'final', 'model.safetensors')));
  assert.deepEqual(values(loadRewardModel(join(dir, 'final')).model), values(rm));
});
