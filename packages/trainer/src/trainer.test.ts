import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '@spo/engine';
import { initCausalLM, type CausalLM } from '@spo/model';
import { pairAsList, prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { PREFERENCE_LOSSES, PREFERENCE_LOSS_NAMES } from '@spo/losses';
import {
  TrainConfigSchema,
  trainSft,
  trainPreference,
  resolveMethod,
  readMetrics,
  learningRate,
  TrainingDivergedError,
  trainLoop,
} from './index.js';
import { readFileSync } from 'node:fs';

await initBackend(undefined, () => {});
const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    source: 'synthetic',
    task: 'summarization',
    sftExamples: 64,
    preferencePairs: 32,
    preferenceLists: 16,
    evalPrompts: 4,
  }),
  1,
);
const pairs = ds.preferences.map(pairAsList);
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
  const model = initCausalLM(shape, 1);
  const before = values(model);
  const dir = tmp();
  trainSft({
    model,
    tokenizer: ds.tokenizer,
    examples: ds.sft,
    config: TrainConfigSchema.parse({ steps: 30, batchSize: 8, lr: 1e-2, warmupSteps: 2, checkpointEvery: 100 }),
    seed: 1,
    dir,
    log: () => {},
  });
  const m = readMetrics(join(dir, 'metrics.jsonl'));
  const first = m.slice(0, 3).reduce((a, r) => a + r.loss, 0) / 3,
    last = m.slice(-3).reduce((a, r) => a + r.loss, 0) / 3;
  assert.ok(last < first * 0.8, `loss ${first} -> ${last}`);
  values(model).forEach((v, i) => assert.notDeepEqual(v, before[i], `parameter ${i} unchanged`));
  assert.ok(existsSync(join(dir, 'final', 'model.safetensors')));
});

test('resume after a kill reaches the same weights and metrics as an uninterrupted run', () => {
  const config = TrainConfigSchema.parse({
    steps: 12,
    batchSize: 4,
    gradAccumulation: 2,
    lr: 5e-3,
    warmupSteps: 2,
    checkpointEvery: 5,
  });
  const full = initCausalLM(shape, 2);
  const fullDir = tmp();
  trainSft({ model: full, tokenizer: ds.tokenizer, examples: ds.sft, config, seed: 3, dir: fullDir, log: () => {} });
  const killedDir = tmp();
  const killed = initCausalLM(shape, 2);
  trainSft({
    model: killed,
    tokenizer: ds.tokenizer,
    examples: ds.sft,
    config,
    seed: 3,
    dir: killedDir,
    stopAfter: 8,
    log: () => {},
  });
  const resumed = initCausalLM(shape, 2); // a fresh process: weights come from the step-5 checkpoint
  const summary = trainSft({
    model: resumed,
    tokenizer: ds.tokenizer,
    examples: ds.sft,
    config,
    seed: 3,
    dir: killedDir,
    log: () => {},
  });
  assert.equal(summary.resumedFrom, 5);
  assert.deepEqual(values(resumed), values(full));
  assert.deepEqual(readMetrics(join(killedDir, 'metrics.jsonl')), readMetrics(join(fullDir, 'metrics.jsonl')));
});

const tinyRun = (method: unknown, steps = 2) => {
  const m = resolveMethod(method, 'method');
  const policy = initCausalLM(shape, 4),
    reference = initCausalLM(shape, 4);
  const before = values(policy);
  const dir = tmp();
  const examples = PREFERENCE_LOSSES[m.loss as keyof typeof PREFERENCE_LOSSES].input === 'lists' ? ds.lists : pairs;
  const summary = trainPreference({
    policy,
    reference,
    tokenizer: ds.tokenizer,
    examples,
    klPrompts: ds.sft.map((e) => e.prompt),
    method: m,
    config: TrainConfigSchema.parse({ steps, batchSize: 4, lr: 1e-2, warmupSteps: 1 }),
    seed: 1,
    dir,
    log: () => {},
  });
  return { summary, before, policy, dir };
};

for (const loss of PREFERENCE_LOSS_NAMES) {
  for (const withSpo of [false, true]) {
    test(`${loss}${withSpo ? ' + SPO' : ''}: finite loss, TRL metric names, every parameter trains`, () => {
      const { summary, before, policy, dir } = tinyRun({ name: 'm', loss, ...(withSpo ? { spo: {} } : {}) });
      assert.ok(Number.isFinite(summary.final.loss), `loss ${summary.final.loss}`);
      for (const k of [
        'rewards/chosen',
        'rewards/rejected',
        'rewards/margins',
        'rewards/accuracies',
        'logps/chosen',
        'logps/rejected',
      ])
        assert.ok(Number.isFinite(summary.final[k]), k);
      assert.equal('degree/accuracy' in summary.final, withSpo);
      values(policy).forEach((v, i) =>
        assert.notDeepEqual(v, before[i], `parameter ${[...policy.params.keys()][i]} unchanged`),
      );
      assert.equal(existsSync(join(dir, 'reference-logps.json')), PREFERENCE_LOSSES[loss].usesReference);
      if (withSpo) {
        const confusion = JSON.parse(readFileSync(join(dir, 'degree-confusion.json'), 'utf8'));
        assert.equal(
          confusion.counts.flat().reduce((x: number, y: number) => x + y, 0),
          confusion.variants,
        );
        assert.ok(confusion.variants >= 2 * confusion.groups && confusion.variants <= 4 * confusion.groups);
      }
    });
  }
}

test('SPO with the logprob-rank head, on the rejected side, K = 3, plus an SFT term', () => {
  const { summary, dir } = tinyRun({
    name: 'm',
    loss: 'ipo',
    sftWeight: 0.5,
    spo: { head: 'logprob-rank', target: 'both', degrees: 3, lambda: 1 },
  });
  assert.ok(Number.isFinite(summary.final['degree/loss']) && Number.isFinite(summary.final['sft/nll']));
  const confusion = JSON.parse(readFileSync(join(dir, 'degree-confusion.json'), 'utf8'));
  assert.equal(confusion.counts.length, 3);
  // both sides of (almost) every pair
  assert.ok(confusion.groups > 32 && confusion.groups <= 2 * 32, `${confusion.groups} groups`);
});

test(
  'KL regulariser: kl/policy_ref is 0 while the policy equals the reference, ' +
    'then positive; pools resampled and saved',
  () => {
    const { summary, dir } = tinyRun(
      { name: 'm', loss: 'soft', kl: { eta: 0.5, poolSize: 8, batchSize: 4, resampleEvery: 2, maxNewTokens: 8 } },
      4,
    );
    const m = readMetrics(join(dir, 'metrics.jsonl'));
    assert.ok(Math.abs(m[0]['kl/policy_ref']) < 1e-5, `step 1 KL ${m[0]['kl/policy_ref']}`);
    assert.ok(m[3]['kl/policy_ref'] > 1e-6, `step 4 KL ${m[3]['kl/policy_ref']}`);
    assert.ok(
      existsSync(join(dir, 'kl-samples', 'step-000000.json')) &&
        existsSync(join(dir, 'kl-samples', 'step-000002.json')),
    );
    assert.equal(summary.steps, 4);
  },
);

test('config errors name the field: unknown loss, bad loss parameter, SPO K below 2', () => {
  assert.throws(
    () => resolveMethod({ name: 'x', loss: 'dpp' }, 'methods.0'),
    /methods\.0\.loss: unknown loss "dpp"; known losses: dpo/,
  );
  assert.throws(
    () => resolveMethod({ name: 'x', loss: 'exo', params: { epsilon: 0 } }, 'methods.0'),
    /methods\.0\.params\.epsilon: must be above 0/,
  );
  assert.throws(
    () => resolveMethod({ name: 'x', loss: 'dpo', spo: { degrees: 1 } }, 'methods.0'),
    /methods\.0\.spo\.degrees/,
  );
});

test('NaN guard stops before the update and names the last good checkpoint', () => {
  const w = tf.variable(tf.scalar(1));
  const dir = tmp();
  let step = 0;
  assert.throws(
    () =>
      trainLoop({
        stage: 'toy',
        dir,
        seed: 1,
        datasetSize: 4,
        variables: new Map([['w', w]]),
        writeModel: () => {},
        log: () => {},
        config: TrainConfigSchema.parse({ steps: 10, batchSize: 1, checkpointEvery: 2, warmupSteps: 0 }),
        lossFn: () => ({ loss: (++step > 5 ? tf.mul(w, NaN) : tf.square(w)) as tf.Scalar, metrics: {} }),
      }),
    (e: Error) =>
      e instanceof TrainingDivergedError && /step 6: loss is NaN/.test(e.message) && /step-000004/.test(e.message),
  );
  assert.ok(Number.isFinite(w.dataSync()[0]));
});

test('a WASM abort (out of memory) says what to change and where the run resumes from', () => {
  const w = tf.variable(tf.scalar(1));
  const dir = tmp();
  let step = 0;
  assert.throws(
    () =>
      trainLoop({
        stage: 'toy',
        dir,
        seed: 1,
        datasetSize: 8,
        variables: new Map([['w', w]]),
        writeModel: () => {},
        log: () => {},
        config: TrainConfigSchema.parse({ steps: 10, batchSize: 4, checkpointEvery: 2, warmupSteps: 0 }),
        lossFn: () => {
          // what the Emscripten module throws: a WebAssembly.RuntimeError
          if (++step > 3)
            throw Object.assign(new Error('Aborted(). Build with -sASSERTIONS for more info.'), {
              name: 'RuntimeError',
            });
          return { loss: tf.square(w) as tf.Scalar, metrics: {} };
        },
      }),
    (e: Error) =>
      /step 4: the WASM backend ran out of memory/.test(e.message) &&
      /micro-batch of 4\. Halve batchSize and double gradAccumulation/.test(e.message) &&
      /step-000002/.test(e.message),
  );
});

test('tensor count stays flat over 50 training steps', () => {
  const model = initCausalLM(shape, 5);
  const dir = tmp();
  const counts: number[] = [];
  trainLoop({
    stage: 'flat',
    dir,
    seed: 1,
    datasetSize: ds.sft.length,
    variables: model.params,
    writeModel: () => {},
    log: () => {},
    config: TrainConfigSchema.parse({ steps: 50, batchSize: 2, checkpointEvery: 1000, warmupSteps: 0 }),
    lossFn: () => {
      counts.push(tf.memory().numTensors);
      return { loss: tf.sum(tf.square(model.params.get('ln_f.weight')!)) as tf.Scalar, metrics: {} };
    },
  });
  assert.equal(counts[49], counts[1], `tensors: ${counts[1]} at step 2, ${counts[49]} at step 50`);
});
