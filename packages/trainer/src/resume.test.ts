// Runs killed at every point after their last checkpoint, damaged checkpoints and logs, and caches
// computed from something else: each must finish with the numbers an uninterrupted run gets, or stop
// with an error that names the file and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '@spo/engine';
import { initCausalLM, type CausalLM, loadCheckpoint } from '@spo/model';
import { pairAsList, prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import {
  TrainConfigSchema,
  trainSft,
  trainPreference,
  resolveMethod,
  readMetrics,
  trainLoop,
  scoreSequences,
} from './index.js';
import { encodeSequence } from '@spo/data';

await initBackend(undefined, () => {});
const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    source: 'synthetic',
    task: 'summarization',
    sftExamples: 64,
    preferencePairs: 16,
    evalPrompts: 4,
  }),
  1,
);
const shape = { vocabSize: ds.tokenizer.size, maxPositions: 64, dModel: 16, nLayers: 1, nHeads: 2, layerNormEps: 1e-5 };
const tmp = () => mkdtempSync(join(tmpdir(), 'resume-'));
const values = (m: CausalLM) => [...m.params.values()].map((v) => Array.from(v.dataSync()));
const config = TrainConfigSchema.parse({
  steps: 6,
  batchSize: 4,
  lr: 5e-3,
  warmupSteps: 1,
  checkpointEvery: 2,
  keepCheckpoints: 3,
});
const sft = (dir: string, log: (line: string) => void = () => {}, stopAfter?: number) => {
  const model = initCausalLM(shape, 2);
  const summary = trainSft({ model, tokenizer: ds.tokenizer, examples: ds.sft, config, seed: 3, dir, log, stopAfter });
  return { model, summary };
};
const reference = (() => {
  const dir = tmp();
  const { model, summary } = sft(dir);
  return { dir, weights: values(model), summary };
})();

// What a kill leaves behind at each point after the last checkpoint: the files a later point writes are absent.
const killPoints: [string, string[]][] = [
  ['after the last checkpoint, before train-summary.json', ['train-summary.json', 'final']],
  ['after train-summary.json, before the final model', ['final']],
  ['after the final model was written', []],
];
for (const [when, absent] of killPoints) {
  test(`a run killed ${when} finishes on the next run with the uninterrupted run's final metrics and weights`, () => {
    const dir = tmp();
    sft(dir);
    for (const f of absent) rmSync(join(dir, f), { recursive: true, force: true });
    const { summary } = sft(dir);
    assert.equal(summary.steps, 6);
    assert.deepEqual(summary.final, reference.summary.final);
    assert.ok(Number.isFinite(summary.final.loss), 'the final row has its loss');
    assert.deepEqual(values(loadCheckpoint(join(dir, 'final')).model), reference.weights);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'train-summary.json'), 'utf8')).final, reference.summary.final);
  });
}

test('a damaged newest checkpoint is set aside, said, and the previous one resumes to the same weights', () => {
  const dir = tmp();
  sft(dir, () => {}, 5); // checkpoints at steps 2 and 4
  const newest = join(dir, 'checkpoints', 'step-000004', 'trainer-state.safetensors');
  const bytes = readFileSync(newest);
  bytes[bytes.length - 3] ^= 0xff; // one flipped byte in the optimiser state
  writeFileSync(newest, bytes);
  const lines: string[] = [];
  const { model, summary } = sft(dir, (l) => lines.push(l));
  assert.equal(summary.resumedFrom, 2);
  assert.ok(
    lines.some((l) =>
      new RegExp(
        String.raw`checkpoint .*step-000004 is damaged \(trainer-state\.safetensors does not match ` +
          String.raw`the sha256 written with it\); moved it to .*damaged-step-000004`,
      ).test(l),
    ),
    lines.join('\n'),
  );
  assert.deepEqual(values(model), reference.weights);
  assert.ok(readdirSync(join(dir, 'checkpoints')).includes('damaged-step-000004'));
});

test('a checkpoint cut short (a file missing, a truncated tensor file) is never loaded', () => {
  const dir = tmp();
  sft(dir, () => {}, 5);
  rmSync(join(dir, 'checkpoints', 'step-000004', 'model.safetensors'));
  const st = join(dir, 'checkpoints', 'step-000002', 'trainer-state.safetensors');
  writeFileSync(st, readFileSync(st).subarray(0, 100));
  const lines: string[] = [];
  const { model, summary } = sft(dir, (l) => lines.push(l));
  assert.equal(summary.resumedFrom, 0, 'no good checkpoint: it starts over');
  assert.equal(lines.filter((l) => /is damaged/.test(l)).length, 2, lines.join('\n'));
  assert.deepEqual(values(model), reference.weights);
});

test('a checkpoint without checksums.json is unverified, so it is set aside rather than trusted', () => {
  const dir = tmp();
  sft(dir, () => {}, 5);
  rmSync(join(dir, 'checkpoints', 'step-000004', 'checksums.json'));
  const st = join(dir, 'checkpoints', 'step-000004', 'trainer-state.safetensors');
  const bytes = readFileSync(st);
  bytes[bytes.length - 1] ^= 1; // damage nothing else could catch: the tensors still parse
  writeFileSync(st, bytes);
  const lines: string[] = [];
  const { model, summary } = sft(dir, (l) => lines.push(l));
  assert.equal(summary.resumedFrom, 2);
  assert.ok(
    lines.some((l) => /step-000004 is damaged \(checksums\.json is missing, so no file here can be verified/.test(l)),
    lines.join('\n'),
  );
  assert.deepEqual(values(model), reference.weights);
});

test('the final checkpoint is checked on load: a damaged one names the file and what to do', () => {
  const dir = tmp();
  sft(dir);
  const weights = join(dir, 'final', 'model.safetensors');
  const bytes = readFileSync(weights);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(weights, bytes);
  assert.throws(
    () => loadCheckpoint(join(dir, 'final')),
    new RegExp(
      String.raw`checkpoint .*final is damaged: model\.safetensors does not match the sha256 written ` +
        String.raw`with it; delete the folder and run the stage that wrote it again`,
    ),
  );
});

test(
  'metrics.jsonl: a damaged line is an ' +
    'error naming file and line; ' +
    'a last line cut short by a kill is dropped',
  () => {
    const dir = tmp();
    sft(dir, () => {}, 3);
    const path = join(dir, 'metrics.jsonl');
    appendFileSync(path, '{"step": 4, "loss": 1.'); // a kill mid-append
    assert.equal(readMetrics(path).length, 3);
    const { summary } = sft(dir);
    assert.deepEqual(summary.final, reference.summary.final);
    assert.deepEqual(readMetrics(path), readMetrics(join(reference.dir, 'metrics.jsonl')));
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = '{"step": 2, "loss": 0.5'; // damaged in the middle
    writeFileSync(path, lines.join('\n'));
    assert.throws(() => readMetrics(path), /metrics\.jsonl:2: damaged metrics line \(not JSON\)/);
    rmSync(join(dir, 'train-summary.json'));
    assert.throws(
      () => sft(dir),
      /metrics\.jsonl:2: damaged metrics line/,
      'a resume never silently drops the rows after it',
    );
  },
);

test('trainer-state.json that is not JSON is a damaged checkpoint, not a crash', () => {
  const dir = tmp();
  sft(dir, () => {}, 3);
  writeFileSync(join(dir, 'checkpoints', 'step-000002', 'trainer-state.json'), '{"step": 2,');
  const lines: string[] = [];
  const { summary } = sft(dir, (l) => lines.push(l));
  assert.equal(summary.resumedFrom, 0);
  assert.ok(
    lines.some((l) => /step-000002 is damaged/.test(l)),
    lines.join('\n'),
  );
});

test('batchSize larger than the dataset is an error naming the config field', () => {
  const w = tf.variable(tf.scalar(1));
  assert.throws(
    () =>
      trainLoop({
        stage: 'toy',
        section: 'preference',
        dir: tmp(),
        seed: 1,
        datasetSize: 3,
        variables: new Map([['w', w]]),
        writeModel: () => {},
        log: () => {},
        config: TrainConfigSchema.parse({ steps: 2, batchSize: 4, warmupSteps: 0 }),
        lossFn: () => ({ loss: tf.square(w) as tf.Scalar, metrics: {} }),
      }),
    /preference\.batchSize is 4, but there are only 3 examples to train on: lower preference\.batchSize to at most 3/,
  );
});

test('every way an allocation fails gets the out-of-memory message', () => {
  for (const message of [
    'Aborted(). Build with -sASSERTIONS for more info.',
    'memory access out of bounds',
    'Array buffer allocation failed',
    'WebAssembly.Memory.grow(): Maximum memory size exceeded',
  ]) {
    const w = tf.variable(tf.scalar(1));
    assert.throws(
      () =>
        trainLoop({
          stage: 'toy',
          dir: tmp(),
          seed: 1,
          datasetSize: 8,
          variables: new Map([['w', w]]),
          writeModel: () => {},
          log: () => {},
          config: TrainConfigSchema.parse({ steps: 4, batchSize: 4, warmupSteps: 0 }),
          lossFn: () => {
            throw Object.assign(new Error(message), { name: 'RuntimeError' });
          },
        }),
      /step 1: the WASM backend ran out of memory .* Halve batchSize and double gradAccumulation/,
      message,
    );
  }
});

test('running out of memory in a scoring pass (the reference log-probs) names the batch and what to change', () => {
  const sequences = ds.preferences.slice(0, 10).map((p) => encodeSequence(ds.tokenizer, p.prompt, p.chosen, 64));
  const oom = {
    config: shape,
    gradientCheckpointing: false,
    forward: () => {
      throw Object.assign(new Error('Aborted(). Build with -sASSERTIONS for more info.'), { name: 'RuntimeError' });
    },
  } as unknown as CausalLM;
  assert.throws(
    () => scoreSequences(oom, sequences, ds.tokenizer.padId, 4, 'the reference pass'),
    new RegExp(
      String.raw`the reference pass: sequences 1-4 of 10 \(4 per batch, up to \d+ tokens\) ran out of ` +
        String.raw`memory.*Set SPO_SCORE_BATCH_SIZE to a smaller batch \(e\.g\. 1\)`,
    ),
  );
});

test('the reference log-prob cache is recomputed when it was computed from something else or is damaged', () => {
  const pairs = ds.preferences.map(pairAsList);
  const method = resolveMethod({ name: 'dpo', loss: 'dpo' }, 'm');
  const run = (dir: string, seed: number, log: (l: string) => void = () => {}) =>
    trainPreference({
      policy: initCausalLM(shape, seed),
      reference: initCausalLM(shape, seed),
      tokenizer: ds.tokenizer,
      examples: pairs,
      method,
      config: TrainConfigSchema.parse({ steps: 1, batchSize: 4, warmupSteps: 0 }),
      seed: 1,
      dir,
      log,
    });
  const dir = tmp();
  run(dir, 4);
  const path = join(dir, 'reference-logps.json');
  const first = JSON.parse(readFileSync(path, 'utf8'));
  rmSync(join(dir, 'train-summary.json'));
  rmSync(join(dir, 'checkpoints'), { recursive: true });
  const lines: string[] = [];
  run(dir, 5, (l) => lines.push(l)); // another reference model
  assert.ok(
    lines.some((l) => /recomputing .*reference-logps\.json: it was computed from another reference model/.test(l)),
    lines.join('\n'),
  );
  assert.notDeepEqual(JSON.parse(readFileSync(path, 'utf8')).responses, first.responses);
  writeFileSync(path, '{"examples": 16, "responses": [[');
  rmSync(join(dir, 'checkpoints'), { recursive: true });
  const again: string[] = [];
  run(dir, 5, (l) => again.push(l));
  assert.ok(
    again.some((l) => /reference-logps\.json: it is damaged/.test(l)),
    again.join('\n'),
  );
  assert.ok(existsSync(path));
});
