import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, Rng, setLengthBuckets } from '@spo/engine';
import type { TokenizedSequence } from '@spo/data';
import { initCausalLM, responseLayout, responseLogProbs, distinctPrompts, type ModelConfig } from './index.js';

await initBackend(undefined, () => {});

const gpt2: ModelConfig = { vocabSize: 13, maxPositions: 24, dModel: 16, nLayers: 2, nHeads: 2, layerNormEps: 1e-5 };
const llama: ModelConfig = {
  architecture: 'llama',
  vocabSize: 13,
  maxPositions: 24,
  dModel: 16,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  intermediateSize: 24,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: false,
  attentionBias: true,
};

/**
 * Three prompts of different lengths, each with 1 to 3 responses of different lengths, rows
 * interleaved as a preference batch is.
 */
function batch(): TokenizedSequence[] {
  const rng = new Rng(5);
  const tokens = (n: number) => Array.from({ length: n }, () => 2 + rng.int(11));
  const prompts = [tokens(3), tokens(7), tokens(1)];
  const row = (p: number, responseLength: number) => ({
    ids: [...prompts[p], ...tokens(responseLength)],
    promptLength: prompts[p].length,
  });
  return [row(0, 4), row(1, 2), row(2, 9), row(0, 6), row(1, 1), row(2, 3), row(0, 2), row(1, 5)];
}

/** Each row alone (no other row, so no prompt to share): the per-row layout's value for it. */
const aloneSums = (model: ReturnType<typeof initCausalLM>, rows: TokenizedSequence[]) =>
  rows.map((r) => responseLogProbs(model, [r], 0).sum.dataSync()[0]);

/** How many forward passes `f` makes of `model`. */
function countForwards(model: ReturnType<typeof initCausalLM>, f: () => void): number {
  const forward = model.forward.bind(model);
  let calls = 0;
  model.forward = (...args) => (calls++, forward(...args));
  try {
    f();
  } finally {
    model.forward = forward;
  }
  return calls;
}

for (const [name, config, buckets] of [
  ['GPT-2', gpt2, false],
  ['Llama (GQA, q/k/v biases)', llama, false],
  ['GPT-2, responses in two length buckets', gpt2, true],
  ['Llama, responses in two length buckets', llama, true],
] as const) {
  test(`${name}: a shared prompt gives each row's log-probs, pooled states and gradients of its own forward`, (t) => {
    setLengthBuckets(buckets);
    t.after(() => setLengthBuckets(undefined));
    const model = initCausalLM(config, 3);
    const rows = batch();
    assert.deepEqual(distinctPrompts(rows).rowPrompt, [0, 1, 2, 0, 1, 2, 0, 1]);
    assert.equal(responseLayout(model, rows), 'shared-prompt');
    // the prompts' pass, then the responses in one pass or two (lengths 1-9: buckets of 1-4 and 5-9)
    assert.equal(
      countForwards(model, () => tf.tidy(() => void responseLogProbs(model, rows, 0).sum.dataSync())),
      buckets ? 3 : 2,
    );
    const head = tf.variable(tf.randomNormal([config.dModel, 1], 0, 1, 'float32', 7));
    const objective = (layoutOf: () => ReturnType<typeof responseLogProbs>) => () => {
      const lp = layoutOf();
      // a loss that reaches every output: the sums, the means and the pooled states
      return tf.addN([
        tf.sum(tf.mul(lp.sum, tf.range(1, rows.length + 1))),
        tf.sum(lp.mean),
        tf.sum(tf.matMul(lp.pooled(), head)),
      ]) as tf.Scalar;
    };
    const shared = tf.variableGrads(objective(() => responseLogProbs(model, rows, 0)));
    model.gradientCheckpointing = true; // takes the per-row layout
    assert.equal(responseLayout(model, rows), 'per-row');
    const perRow = tf.variableGrads(objective(() => responseLogProbs(model, rows, 0)));
    model.gradientCheckpointing = false;

    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string, tolerance = 2e-5) => {
      let worst = 0,
        scale = 0;
      for (let i = 0; i < a.length; i++)
        ((worst = Math.max(worst, Math.abs(a[i] - b[i]))), (scale = Math.max(scale, Math.abs(b[i]))));
      assert.ok(
        worst <= tolerance * Math.max(1, scale),
        `${what}: max |shared − per-row| ${worst} (largest value ${scale})`,
      );
    };
    close(shared.value.dataSync(), perRow.value.dataSync(), 'loss');
    assert.ok(Object.keys(perRow.grads).length > 10);
    for (const [k, g] of Object.entries(perRow.grads))
      close(shared.grads[k].dataSync(), g.dataSync(), `gradient of ${k}`);

    // and each row's log-prob equals scoring that row alone (left padding of its prompt changes nothing)
    const sums = tf.tidy(() => responseLogProbs(model, rows, 0).sum.dataSync());
    close(sums, aloneSums(model, rows), 'row sums');
    const pooledShared = tf.tidy(() => responseLogProbs(model, rows, 0).pooled().dataSync());
    model.gradientCheckpointing = true;
    const pooledPerRow = tf.tidy(() => responseLogProbs(model, rows, 0).pooled().dataSync());
    model.gradientCheckpointing = false;
    close(pooledShared, pooledPerRow, 'pooled hidden states');
    model.dispose();
  });
}

test('the prefix sums and sampling-aligned means agree between the two layouts, in one pass or two', (t) => {
  t.after(() => setLengthBuckets(undefined));
  const model = initCausalLM(gpt2, 3);
  const rows = batch();
  const extras = { prefixTokens: [2, 1, 4, 2, 1, 3, 9, 0], sampledAlignment: true };
  const perRow = responseLogProbs(model, rows, 0, 'per-row', extras);
  for (const buckets of [false, true]) {
    setLengthBuckets(buckets);
    let shared!: ReturnType<typeof responseLogProbs>;
    assert.equal(
      countForwards(model, () => (shared = responseLogProbs(model, rows, 0, 'shared-prompt', extras))),
      buckets ? 3 : 2,
    );
    for (const key of ['prefixSum', 'alignedMean'] as const) {
      const [a, b] = [shared[key]!.dataSync(), perRow[key]!.dataSync()];
      a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 2e-5, `${key}[${i}] (buckets ${buckets}): ${x} vs ${b[i]}`));
    }
  }
  // one entry of prefixTokens per row, in either layout
  assert.throws(
    () => responseLogProbs(model, rows, 0, 'shared-prompt', { prefixTokens: [1, 2] }),
    /prefixTokens has 2 entries for 8 rows/,
  );
  // a prefix of 0 tokens sums to 0; one at least the response's length is the whole sum
  assert.equal(perRow.prefixSum!.dataSync()[7], 0);
  assert.ok(Math.abs(perRow.prefixSum!.dataSync()[6] - perRow.sum.dataSync()[6]) < 1e-5);
  model.dispose();
});

test(
  'the per-row layout when no prompt repeats, ' +
    'or when the widest prompt and ' +
    'widest response overflow the context',
  () => {
    const model = initCausalLM(gpt2, 1);
    const rows = batch();
    assert.equal(responseLayout(model, [rows[0], rows[1], rows[2]]), 'per-row');
    // prompt 20 + response 2, and prompt 2 + response 20: each fits 24, both together would need 40 positions
    const long = (p: number, r: number) => ({
      ids: Array.from({ length: p + r }, (_, i) => 2 + (i % 11)),
      promptLength: p,
    });
    const overflow = [long(20, 2), long(20, 3), long(2, 20), long(2, 21)];
    assert.equal(responseLayout(model, overflow), 'per-row');
    const lp = tf.tidy(() => responseLogProbs(model, overflow, 0).sum.dataSync());
    assert.ok(lp.every(Number.isFinite));
    model.dispose();
  },
);

test('length buckets on, where no split saves enough, give the one pass bit for bit', (t) => {
  t.after(() => setLengthBuckets(undefined));
  const model = initCausalLM(gpt2, 3);
  // responses of 5, 5, 4 and 5 tokens: the best split saves 1 of 20 positions
  const rows = batch()
    .slice(0, 4)
    .map((r, i) => ({
      ids: [...r.ids.slice(0, r.promptLength), ...[2, 3, 4, 5, 6].slice(0, i === 2 ? 4 : 5)],
      promptLength: r.promptLength,
    }));
  const run = (buckets: boolean) => {
    setLengthBuckets(buckets);
    const grads = tf.variableGrads(() => {
      const lp = responseLogProbs(model, rows, 0);
      return tf.addN([tf.sum(lp.sum), tf.sum(lp.pooled())]) as tf.Scalar;
    });
    const values = [grads.value, ...Object.values(grads.grads)];
    const arrays = values.map((g) => [...g.dataSync()]);
    tf.dispose(values);
    return arrays;
  };
  assert.deepEqual(run(true), run(false));
  setLengthBuckets(true);
  assert.equal(
    countForwards(model, () => tf.tidy(() => void responseLogProbs(model, rows, 0).sum.dataSync())),
    2,
  );
  model.dispose();
});
