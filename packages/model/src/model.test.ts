import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '@spo/engine';
import { initCausalLM, sequenceLogProbs, generate, saveCheckpoint, loadCheckpoint, sampleToken } from './index.js';
import { Rng } from '@spo/engine';

await initBackend(undefined, () => {});
const config = { vocabSize: 11, maxPositions: 16, dModel: 16, nLayers: 2, nHeads: 2, layerNormEps: 1e-5 };

test('sequenceLogProbs sums only response tokens (hand-computed)', () => {
  // One row, 4 tokens, vocab 2. Logits at t predict token t+1.
  // t=0: [0, ln 3] -> p(1)=3/4; t=1: [0, 0] -> p(0)=1/2; t=2: [ln 4, 0] -> p(0)=4/5.
  const logits = tf.tensor3d([
    [
      [0, Math.log(3)],
      [0, 0],
      [Math.log(4), 0],
      [9, 9],
    ],
  ]);
  const ids = tf.tensor2d([[0, 1, 0, 0]], undefined, 'int32');
  // Token 1 is prompt; tokens 2 and 3 are the response.
  const mask = tf.tensor2d([[0, 0, 1, 1]]);
  const { sum, mean, count } = sequenceLogProbs(logits, ids, mask);
  const expected = Math.log(1 / 2) + Math.log(4 / 5);
  assert.ok(Math.abs(sum.dataSync()[0] - expected) < 1e-5);
  assert.equal(count.dataSync()[0], 2);
  assert.ok(Math.abs(mean.dataSync()[0] - expected / 2) < 1e-5);
  // logits of positions 1..3 only (aligned to the end): the same sums
  const tail = sequenceLogProbs(tf.slice(logits, [0, 1, 0], [1, 3, 2]) as tf.Tensor3D, ids, mask);
  assert.ok(Math.abs(tail.sum.dataSync()[0] - expected) < 1e-5);
});

test('the extras LD-DPO and WPO ask for: a response prefix sum and the sampling-aligned mean, by hand', () => {
  // the same logits: response tokens 2 and 3 have p = 1/2 (from [0, 0]) and p = 4/5 (from [ln 4, 0])
  const logits = tf.tensor3d([
    [
      [0, Math.log(3)],
      [0, 0],
      [Math.log(4), 0],
      [9, 9],
    ],
  ]);
  const ids = tf.tensor2d([[0, 1, 0, 0]], undefined, 'int32');
  const mask = tf.tensor2d([[0, 0, 1, 1]]);
  const one = sequenceLogProbs(logits, ids, mask, { prefixTokens: [1], sampledAlignment: true });
  assert.ok(Math.abs(one.prefixSum!.dataSync()[0] - Math.log(1 / 2)) < 1e-5);
  // Σ_v p² is 1/2 at [0, 0] and 17/25 at [ln 4, 0]: mean of log(1/2) − log(1/2) and log(4/5) − log(17/25)
  const aligned = (0 + Math.log(4 / 5) - Math.log(17 / 25)) / 2;
  assert.ok(Math.abs(one.alignedMean!.dataSync()[0] - aligned) < 1e-5, `${one.alignedMean!.dataSync()[0]}`);
  const whole = sequenceLogProbs(logits, ids, mask, { prefixTokens: [5] });
  assert.ok(Math.abs(whole.prefixSum!.dataSync()[0] - whole.sum.dataSync()[0]) < 1e-6);
});

test('gradient checkpointing: the same loss and gradients, with less memory at the peak of the step', async () => {
  // deep enough that the blocks' kept activations dominate the step's peak, as they do in a real run, even
  // with the fused block, which keeps fewer of them than its ops would
  const deep = { vocabSize: 11, maxPositions: 32, dModel: 32, nLayers: 8, nHeads: 2, layerNormEps: 1e-5 };
  const model = initCausalLM(deep, 9);
  const rng = new Rng(3);
  const ids = tf.tensor2d(
    Int32Array.from({ length: 8 * 32 }, () => rng.int(11)),
    [8, 32],
    'int32',
  );
  const mask = tf.tensor2d(
    Float32Array.from({ length: 8 * 32 }, (_, i) => (i % 32 >= 8 ? 1 : 0)),
    [8, 32],
  );
  const step = (checkpointing: boolean) => {
    model.gradientCheckpointing = checkpointing;
    return tf.variableGrads(
      () =>
        tf.sum(
          sequenceLogProbs(model.forward(ids, { keyMask: tf.onesLike(mask) as tf.Tensor2D }).logits, ids, mask).sum,
        ) as tf.Scalar,
    );
  };
  const plain = step(false),
    recomputed = step(true);
  assert.ok(Math.abs(plain.value.dataSync()[0] - recomputed.value.dataSync()[0]) < 1e-4);
  for (const name of Object.keys(plain.grads)) {
    const a = plain.grads[name].dataSync(),
      b = recomputed.grads[name].dataSync();
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * (1 + Math.abs(a[i])), `${name}[${i}]: ${a[i]} vs ${b[i]}`);
  }
  const peak = async (checkpointing: boolean) =>
    (await tf.profile(() => tf.dispose(Object.values(step(checkpointing).grads)))).peakBytes;
  const [without, withCheckpoints] = [await peak(false), await peak(true)];
  assert.ok(withCheckpoints < 0.75 * without, `peak ${withCheckpoints} bytes with checkpointing vs ${without} without`);
  model.gradientCheckpointing = false;
});

test("forward with logitsFrom: the last positions' logits only, and the same response log-probs and gradients", () => {
  const model = initCausalLM(config, 5);
  const ids = tf.tensor2d(
    [
      [1, 2, 3, 4, 5, 6],
      [2, 3, 4, 5, 6, 7],
    ],
    undefined,
    'int32',
  );
  const mask = tf.tensor2d([
    [0, 0, 0, 1, 1, 1],
    [0, 0, 1, 1, 1, 0],
  ]);
  const from = 1; // the earliest response token is position 2, predicted by position 1
  assert.deepEqual(model.forward(ids, { logitsFrom: from }).logits.shape, [2, 5, config.vocabSize]);
  const loss = (f: number) => () =>
    tf.sum(sequenceLogProbs(model.forward(ids, { logitsFrom: f }).logits, ids, mask).sum) as tf.Scalar;
  const full = tf.variableGrads(loss(0)),
    windowed = tf.variableGrads(loss(from));
  assert.ok(Math.abs(full.value.dataSync()[0] - windowed.value.dataSync()[0]) < 1e-5);
  for (const name of Object.keys(full.grads)) {
    const a = full.grads[name].dataSync(),
      b = windowed.grads[name].dataSync();
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-5, `${name}[${i}]: ${x} vs ${b[i]}`));
  }
  assert.throws(() => model.forward(ids, { logitsFrom: 6 }), /logitsFrom 6 must be an integer in \[0, 5\]/);
});

test('forward is causal: a later token never changes earlier logits', () => {
  const model = initCausalLM(config, 1);
  const a = model.forward(tf.tensor2d([[1, 2, 3, 4]], undefined, 'int32')).logits;
  const b = model.forward(tf.tensor2d([[1, 2, 3, 9]], undefined, 'int32')).logits;
  const head = (t: tf.Tensor) => Array.from(tf.slice(t, [0, 0, 0], [1, 3, 11]).dataSync());
  assert.deepEqual(head(a), head(b));
  assert.notDeepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.deepEqual(model.forward(tf.tensor2d([[1, 2]], undefined, 'int32')).hidden.shape, [1, 2, 16]);
});

test('KV-cache decoding and left padding give the same logits as one full forward', () => {
  const model = initCausalLM(config, 2);
  const ids = [3, 1, 4, 1, 5];
  const full = model.forward(tf.tensor2d([ids], undefined, 'int32')).logits;
  const lastFull = Array.from(tf.slice(full, [0, 4, 0], [1, 1, 11]).dataSync());
  // prefix of 3 with left padding of 2, then two cached steps
  const first = model.forward(tf.tensor2d([[0, 0, 3, 1, 4]], undefined, 'int32'), {
    positions: tf.tensor2d([[0, 0, 0, 1, 2]], undefined, 'int32'),
    keyMask: tf.tensor2d([[0, 0, 1, 1, 1]]),
    cache: [],
  });
  const second = model.forward(tf.tensor2d([[1]], undefined, 'int32'), {
    positions: tf.tensor2d([[3]], undefined, 'int32'),
    keyMask: tf.tensor2d([[0, 0, 1, 1, 1, 1]]),
    cache: first.cache,
  });
  const third = model.forward(tf.tensor2d([[5]], undefined, 'int32'), {
    positions: tf.tensor2d([[4]], undefined, 'int32'),
    keyMask: tf.tensor2d([[0, 0, 1, 1, 1, 1, 1]]),
    cache: second.cache,
  });
  const lastCached = Array.from(third.logits.dataSync());
  lastFull.forEach((v, i) => assert.ok(Math.abs(v - lastCached[i]) < 1e-4, `logit ${i}: ${v} vs ${lastCached[i]}`));
});

test('generation: deterministic under a seed, batch-independent, greedy equals argmax decoding', () => {
  const model = initCausalLM(config, 3);
  const prompts = [[1, 2, 3], [4, 5], [6]];
  const opts = { maxNewTokens: 6, temperature: 1, topP: 0.9, padToken: 0, stopToken: 10, seed: 5, batchSize: 3 };
  const a = generate(model, prompts, opts);
  assert.deepEqual(a, generate(model, prompts, opts));
  assert.deepEqual(a, generate(model, prompts, { ...opts, batchSize: 1 }));
  assert.notDeepEqual(a, generate(model, prompts, { ...opts, seed: 6 }));
  const greedy = generate(model, [[1, 2, 3]], { ...opts, temperature: 0, stopToken: undefined });
  const seq = [1, 2, 3];
  for (let i = 0; i < 6; i++) {
    const logits = model.forward(tf.tensor2d([seq], undefined, 'int32')).logits;
    const last = tf.slice(logits, [0, seq.length - 1, 0], [1, 1, 11]);
    seq.push(tf.argMax(tf.reshape(last, [11])).dataSync()[0]);
  }
  assert.deepEqual(greedy[0], seq.slice(3));
});

test('top-p keeps only the nucleus', () => {
  const logits = Float32Array.from([Math.log(0.7), Math.log(0.2), Math.log(0.1)]);
  const rng = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) seen.add(sampleToken(logits, 1, 0.8, rng));
  assert.deepEqual([...seen].sort(), [0, 1]);
});

test('sampleToken: inverse CDF, one uniform a token, vocabulary order at top-p 1, the nucleus by probability', () => {
  // probabilities 0.2, 0.5, 0.3; each draw's u is given (a stub for the seeded stream)
  const logits = Float32Array.from([Math.log(0.2), Math.log(0.5), Math.log(0.3)]);
  const draws = (us: number[], topP: number) => {
    let i = 0;
    const rng = { next: () => us[i++] } as unknown as Rng;
    const tokens = us.map(() => sampleToken(logits, 1, topP, rng));
    assert.equal(i, us.length); // exactly one uniform per token
    return tokens;
  };
  // cumulative 0.2 | 0.7 | 1.0 in vocabulary order
  assert.deepEqual(draws([0.1, 0.3, 0.69, 0.75, 0.999], 1), [0, 1, 1, 2, 2]);
  // top-p 0.6 keeps 1 (0.5) and 2 (0.3), mass 0.8: u·0.8 against 0.5 | 0.8
  assert.deepEqual(draws([0.1, 0.6, 0.7, 0.999], 0.6), [1, 1, 2, 2]);
});

test('checkpoint round trip keeps every parameter and the tokenizer', () => {
  const model = initCausalLM(config, 4);
  const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-')), 'step-1');
  saveCheckpoint(dir, model, { 'tokenizer.json': { model: { type: 'WordLevel' } } });
  const loaded = loadCheckpoint(dir);
  assert.deepEqual(loaded.tokenizer, { model: { type: 'WordLevel' } });
  assert.deepEqual(loaded.model.config, model.config);
  for (const [name, v] of model.params)
    assert.deepEqual(Array.from(loaded.model.params.get(name)!.dataSync()), Array.from(v.dataSync()), name);
});
