import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '@spo/engine';
import { CausalLM } from '@spo/model';
import { prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { TrainConfigSchema, trainSft, trainPreference, resolveMethod, readMetrics, learningRate, TrainingDivergedError, trainLoop } from './index.js';

await initBackend(undefined, () => {});
const ds = prepareSynthetic(SyntheticDataConfigSchema.parse({ source: 'synthetic', task: 'summarization', sftExamples: 64, preferencePairs: 32, evalPrompts: 4 }), 1);
const shape = { vocabSize: ds.tokenizer.size, maxPositions: 64, dModel: 16, nLayers: 1, nHeads: 2, layerNormEps: 1e-5 };
const tmp = () => mkdtempSync(join(tmpdir(), 'trainer-'));
const values = (m: CausalLM) => [...m.params.values()].map((v) => Array.from(v.dataSync()));

test('learning rate: linear warmup then cosine to the floor', () => {
  const c = { lr: 1, warmupSteps: 2, minLrRatio: 0.1, steps: 12 };
  assert.equal(learningRate(0, c), 0.5);
  assert.equal(learningRate(1, c), 1);
  assert.equal(learningRate(2, c), 1);
  assert.ok(Math.abs(learningRate(11, c) - 0.1) < 1e-12);
});

test('SFT: loss falls and every parameter changes on the synthetic task', () => {
  const model = CausalLM.init(shape, 1);
  const before = values(model);
  const dir = tmp();
  trainSft({ model, tokenizer: ds.tokenizer, examples: ds.sft, config: TrainConfigSchema.parse({ steps: 30, batchSize: 8, lr: 1e-2, warmupSteps: 2, checkpointEvery: 100 }), seed: 1, dir, log: () => {} });
  const m = readMetrics(join(dir, 'metrics.jsonl'));
  const first = m.slice(0, 3).reduce((a, r) => a + r.loss, 0) / 3, last = m.slice(-3).reduce((a, r) => a + r.loss, 0) / 3;
  assert.ok(last < first * 0.8, `loss ${first} -> ${last}`);
  values(model).forEach((v, i) => assert.notDeepEqual(v, before[i], `parameter ${i} unchanged`));
  assert.ok(existsSync(join(dir, 'final', 'model.safetensors')));
});

test('resume after a kill reaches the same weights and metrics as an uninterrupted run', () => {
  const config = TrainConfigSchema.parse({ steps: 12, batchSize: 4, gradAccumulation: 2, lr: 5e-3, warmupSteps: 2, checkpointEvery: 5 });
  const full = CausalLM.init(shape, 2);
  const fullDir = tmp();
  trainSft({ model: full, tokenizer: ds.tokenizer, examples: ds.sft, config, seed: 3, dir: fullDir, log: () => {} });
  const killedDir = tmp();
  const killed = CausalLM.init(shape, 2);
  trainSft({ model: killed, tokenizer: ds.tokenizer, examples: ds.sft, config, seed: 3, dir: killedDir, stopAfter: 8, log: () => {} });
  const resumed = CausalLM.init(shape, 2); // a fresh process: weights come from the step-5 checkpoint
  const summary = trainSft({ model: resumed, tokenizer: ds.tokenizer, examples: ds.sft, config, seed: 3, dir: killedDir, log: () => {} });
  assert.equal(summary.resumedFrom, 5);
  assert.deepEqual(values(resumed), values(full));
  assert.deepEqual(readMetrics(join(killedDir, 'metrics.jsonl')), readMetrics(join(fullDir, 'metrics.jsonl')));
});

test('DPO and DPO+SPO steps: finite loss, metrics under TRL names, all parameters and the degree head train', () => {
  for (const method of [{ name: 'dpo', loss: 'dpo', params: {} }, { name: 'dpo-spo', loss: 'dpo', params: {}, spo: { lambda: 0.1, head: 'linear' as const } }]) {
    const policy = CausalLM.init(shape, 4), reference = CausalLM.init(shape, 4);
    const before = values(policy);
    const dir = tmp();
    const s = trainPreference({ policy, reference, tokenizer: ds.tokenizer, pairs: ds.preferences, method: resolveMethod(method, 'm'), config: TrainConfigSchema.parse({ steps: 3, batchSize: 4, lr: 1e-2, warmupSteps: 1 }), seed: 1, dir, log: () => {} });
    assert.ok(Number.isFinite(s.final.loss));
    for (const k of ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected']) assert.ok(k in s.final, k);
    assert.equal('degree/accuracy' in s.final, method.spo !== undefined);
    values(policy).forEach((v, i) => assert.notDeepEqual(v, before[i]));
    assert.ok(existsSync(join(dir, 'reference-logps.json')));
  }
});

test('NaN guard stops before the update and names the last good checkpoint', () => {
  const w = tf.variable(tf.scalar(1));
  const dir = tmp();
  let step = 0;
  assert.throws(() => trainLoop({
    stage: 'toy', dir, seed: 1, datasetSize: 4, variables: new Map([['w', w]]), writeModel: () => {}, log: () => {},
    config: TrainConfigSchema.parse({ steps: 10, batchSize: 1, checkpointEvery: 2, warmupSteps: 0 }),
    lossFn: () => ({ loss: (++step > 5 ? tf.mul(w, NaN) : tf.square(w)) as tf.Scalar, metrics: {} }),
  }), (e: Error) => e instanceof TrainingDivergedError && /step 6: loss is NaN/.test(e.message) && /step-000004/.test(e.message));
  assert.ok(Number.isFinite(w.dataSync()[0]));
});

test('tensor count stays flat over 50 training steps', () => {
  const model = CausalLM.init(shape, 5);
  const dir = tmp();
  const counts: number[] = [];
  trainLoop({
    stage: 'flat', dir, seed: 1, datasetSize: ds.sft.length, variables: model.params, writeModel: () => {}, log: () => {},
    config: TrainConfigSchema.parse({ steps: 50, batchSize: 2, checkpointEvery: 1000, warmupSteps: 0 }),
    lossFn: () => {
      counts.push(tf.memory().numTensors);
      return { loss: tf.sum(tf.square(model.params.get('ln_f.weight')!)) as tf.Scalar, metrics: {} };
    },
  });
  assert.equal(counts[49], counts[1], `tensors: ${counts[1]} at step 2, ${counts[49]} at step 50`);
});
