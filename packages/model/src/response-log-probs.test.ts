import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, Rng, setPackedResponses } from '@spo/engine';
import type { TokenizedSequence } from '@spo/data';
import { initCausalLM, responseLayout, responseLogProbs, distinctPrompts, type ModelConfig } from './index.js';
import { packedInputs } from './response-log-probs.js';

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

/** The [rows, width] of each forward pass `f` makes of `model`. */
function forwardShapes(model: ReturnType<typeof initCausalLM>, f: () => void): number[][] {
  const forward = model.forward.bind(model);
  const shapes: number[][] = [];
  model.forward = (ids, options) => (shapes.push(ids.shape), forward(ids, options));
  try {
    f();
  } finally {
    model.forward = forward;
  }
  return shapes;
}

for (const [name, config, packed] of [
  ['GPT-2', gpt2, false],
  ['Llama (GQA, q/k/v biases)', llama, false],
  ['GPT-2, responses packed', gpt2, true],
  ['Llama, responses packed', llama, true],
] as const) {
  test(`${name}: a shared prompt gives each row's log-probs, pooled states and gradients of its own forward`, (t) => {
    setPackedResponses(packed);
    t.after(() => setPackedResponses(undefined));
    const model = initCausalLM(config, 3);
    const rows = batch();
    assert.deepEqual(distinctPrompts(rows).rowPrompt, [0, 1, 2, 0, 1, 2, 0, 1]);
    assert.equal(responseLayout(model, rows), 'shared-prompt');
    // the prompts' pass (3 prompts, widest 7), then the responses: 8 rows of 1-9 tokens, or packed in 5
    // (prompt 0's 6 + 2 and 4, prompt 1's 5 + 2 + 1, prompt 2's 9 and 3)
    assert.deepEqual(
      forwardShapes(model, () => tf.tidy(() => void responseLogProbs(model, rows, 0).sum.dataSync())),
      [
        [3, 7],
        [packed ? 5 : 8, 9],
      ],
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

test('the prefix sums and sampling-aligned means agree between the two layouts, responses packed or not', (t) => {
  t.after(() => setPackedResponses(undefined));
  const model = initCausalLM(gpt2, 3);
  const rows = batch();
  const extras = { prefixTokens: [2, 1, 4, 2, 1, 3, 9, 0], sampledAlignment: true };
  const perRow = responseLogProbs(model, rows, 0, 'per-row', extras);
  for (const packed of [false, true]) {
    setPackedResponses(packed);
    let shared!: ReturnType<typeof responseLogProbs>;
    assert.equal(
      forwardShapes(model, () => (shared = responseLogProbs(model, rows, 0, 'shared-prompt', extras)))[1][0],
      packed ? 5 : 8,
    );
    for (const key of ['sum', 'mean', 'count', 'prefixSum', 'alignedMean'] as const) {
      const [a, b] = [shared[key]!.dataSync(), perRow[key]!.dataSync()];
      a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 2e-5, `${key}[${i}] (packed ${packed}): ${x} vs ${b[i]}`));
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
  'the per-row layout when no prompt repeats, when a prompt is empty, ' +
    'or when the widest prompt and ' +
    'widest response overflow the context',
  () => {
    const model = initCausalLM(gpt2, 1);
    const rows = batch();
    assert.equal(responseLayout(model, [rows[0], rows[1], rows[2]]), 'per-row');
    // no prompt token to predict the response's first: the per-row layout, which scores from token 1
    const noPrompt = (r: TokenizedSequence) => ({ ids: r.ids.slice(r.promptLength), promptLength: 0 });
    assert.equal(responseLayout(model, [...rows, noPrompt(rows[0]), noPrompt(rows[1])]), 'per-row');
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

test('packed responses: an empty response scores 0, and a pass of equal-length responses packs none', (t) => {
  t.after(() => setPackedResponses(undefined));
  const model = initCausalLM(gpt2, 3);
  const rows = batch();
  // row 4 (prompt 1) with no response tokens; row 6 (prompt 0) of 2 tokens
  const withEmpty = rows.map((r, i) =>
    i === 4 ? { ids: r.ids.slice(0, r.promptLength), promptLength: r.promptLength } : r,
  );
  const extras = { prefixTokens: [2, 1, 4, 2, 1, 3, 9, 0], sampledAlignment: true };
  const perRow = responseLogProbs(model, withEmpty, 0, 'per-row', extras);
  setPackedResponses(true);
  const packed = responseLogProbs(model, withEmpty, 0, 'shared-prompt', extras);
  for (const key of ['sum', 'mean', 'count', 'prefixSum', 'alignedMean'] as const) {
    const [a, b] = [packed[key]!.dataSync(), perRow[key]!.dataSync()];
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 2e-5, `${key}[${i}]: ${x} vs ${b[i]}`));
  }
  assert.equal(packed.sum.dataSync()[4], 0);
  assert.equal(packed.count.dataSync()[4], 0);
  // responses all as wide as the widest: one row each, and the unpacked pass's numbers bit for bit
  const even = rows.map((r) => ({ ids: [...r.ids.slice(0, r.promptLength), 2, 3, 4], promptLength: r.promptLength }));
  assert.deepEqual(
    forwardShapes(model, () => tf.tidy(() => void responseLogProbs(model, even, 0).sum.dataSync()))[1],
    [8, 3],
  );
  const run = (on: boolean) => {
    setPackedResponses(on);
    const grads = tf.variableGrads(() => {
      const lp = responseLogProbs(model, even, 0);
      return tf.addN([tf.sum(lp.sum), tf.sum(lp.pooled())]) as tf.Scalar;
    });
    const values = [grads.value, ...Object.values(grads.grads)];
    const arrays = values.map((g) => [...g.dataSync()]);
    tf.dispose(values);
    return arrays;
  };
  assert.deepEqual(run(true), run(false));
  model.dispose();
});

test('forward: attentionMask must be [B or 1, 1, T, past + T], and not beside keyMask', () => {
  const model = initCausalLM(gpt2, 1);
  const ids = tf.tensor2d([2, 3, 4, 5, 6, 7], [2, 3], 'int32');
  assert.throws(
    () => model.forward(ids, { attentionMask: tf.zeros([2, 1, 3, 4]) as tf.Tensor4D }),
    /attentionMask is \[2,1,3,4\]; it must be \[2 or 1, 1, 3, 3\]/,
  );
  assert.throws(
    () =>
      model.forward(ids, {
        attentionMask: tf.zeros([1, 1, 3, 3]) as tf.Tensor4D,
        keyMask: tf.ones([2, 3]) as tf.Tensor2D,
      }),
    /attentionMask or keyMask, not both/,
  );
  // the causal mask passed whole gives what the causal default gives
  const causal = tf.tensor4d([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0], [1, 1, 3, 3]);
  assert.deepEqual(
    [...model.forward(ids, { attentionMask: causal }).logits.dataSync()],
    [...model.forward(ids).logits.dataSync()],
  );
  model.dispose();
});

test('packedInputs: ids, positions, targets and the attention mask of a packed pass, by hand', () => {
  // prompt 0 = [5, 6] with responses [7, 8] and [9], packed in one row; prompt 1 = [4] (left-padded to
  // Tp = 2) with [3, 3, 3]; width 3
  const sequences = [
    { ids: [5, 6, 7, 8], promptLength: 2 },
    { ids: [5, 6, 9], promptLength: 2 },
    { ids: [4, 3, 3, 3], promptLength: 1 },
  ];
  const rows = [
    {
      prompt: 0,
      segments: [
        { row: 0, offset: 0, length: 2 },
        { row: 1, offset: 2, length: 1 },
      ],
    },
    { prompt: 1, segments: [{ row: 2, offset: 0, length: 3 }] },
  ];
  const x = packedInputs(sequences, rows, 3, { promptMask: new Float32Array([1, 1, 0, 1]), Tp: 2 }, 64, 0);
  assert.deepEqual([...x.ids], [7, 8, 9, 3, 3, 3]);
  assert.deepEqual([...x.positions], [2, 3, 2, 1, 2, 3]); // each response's own, after its prompt
  assert.deepEqual([...x.targets], [8, 0, 0, 3, 3, 0]); // the next token of the same response
  assert.deepEqual([...x.firstTokens], [7, 9, 3]);
  assert.deepEqual([...x.start], [0, 2, 3]);
  const N = -1e9;
  // keys: the prompt's 2, then the row's 3 positions
  assert.deepEqual(
    [...x.mask],
    [
      ...[0, 0, 0, N, N], // row 0, response [7, 8] token 0: its prompt, itself
      ...[0, 0, 0, 0, N], //   token 1: its prompt, tokens 0-1
      ...[0, 0, N, N, 0], // response [9]: its prompt and itself, not [7, 8]
      ...[N, 0, 0, N, N], // row 1: prompt 1's padding masked
      ...[N, 0, 0, 0, N],
      ...[N, 0, 0, 0, 0],
    ],
  );
});
