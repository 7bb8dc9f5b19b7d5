// The fused GPT-2 block (@spo/engine's fusedGpt2Block) against the same model with each op of the block
// on its own (the fused kernels and the native BLAS's products, $SPO_FUSED=ops): values and every
// gradient must be equal bit for bit (a zero's sign aside), in each way the trainer, the reference cache
// and the sampler run a model. Equal is what lets the fused block run under every committed report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, fusedBlocksOn, fusedGpt2Block as engineBlock, withFusedKernels, Rng } from '@spo/engine';
import type { TokenizedSequence } from '@spo/data';
import { initCausalLM, generate, responseLogProbs, type CausalLM, type Gpt2Config } from './index.js';

await initBackend(undefined, () => {});
const skip = fusedBlocksOn() ? false : 'the fused GPT-2 block does not run here (see [engine] ops: above)';
if (skip) console.error(`[gpt2-fused-block.test] skipped: ${skip}`);

// wide enough for OpenBLAS to split products over its threads, as the quickstart's model does
const config: Gpt2Config = { vocabSize: 41, maxPositions: 48, dModel: 64, nLayers: 2, nHeads: 4, layerNormEps: 1e-5 };

/** Each result of `f` with the block fused and with its ops one by one. */
function bothWays<T>(f: () => T): { fused: T; ops: T } {
  return { fused: withFusedKernels('on', f), ops: withFusedKernels('ops', f) };
}

/** Equal element by element, +0 and −0 alike (a gradient summed with a zero pad can lose its sign). */
function assertSame(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>, what: string): void {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  assert.equal(x.length, y.length, `${what}: lengths`);
  for (let i = 0; i < x.length; i++)
    if (!(x[i] === y[i] || (Number.isNaN(x[i]) && Number.isNaN(y[i]))))
      assert.fail(`${what}[${i}]: fused ${x[i]}, ops ${y[i]} (of ${x.length})`);
}

/** The same gradients for the same variables; a difference names the model's parameter (or LoRA's adapter). */
function assertSameGrads(model: CausalLM, fused: tf.NamedTensorMap, ops: tf.NamedTensorMap, what: string): void {
  assert.deepEqual(Object.keys(fused).sort(), Object.keys(ops).sort(), `${what}: gradients of the same variables`);
  const names = new Map([...model.params, ...model.trainableParams()].map(([name, v]) => [v.name, name]));
  for (const id of Object.keys(ops)) assertSame(fused[id], ops[id], `${what}: d ${names.get(id) ?? id}`);
}

const rng = new Rng('fused-block');
const tokens = (n: number) => Array.from({ length: n }, () => 3 + rng.int(config.vocabSize - 3));

/** A loss that reaches every output of a forward pass: every logit and hidden state, weighted. */
function everyOutput(model: CausalLM, ids: tf.Tensor2D, keyMask: tf.Tensor2D): tf.Scalar {
  const out = model.forward(ids, { keyMask });
  const w = (t: tf.Tensor, seed: number) => tf.randomNormal(t.shape, 0, 1, 'float32', seed);
  return tf.add(
    tf.sum(tf.mul(out.logits, w(out.logits, 1))),
    tf.sum(tf.mul(out.hidden, w(out.hidden, 2))),
  ) as tf.Scalar;
}

test('whole rows with padding: logits, hidden states and every parameter gradient equal', { skip }, () => {
  const model = initCausalLM(config, 11);
  const B = 6,
    T = 29;
  const ids = tf.tensor2d(tokens(B * T), [B, T], 'int32');
  const keyMask = tf.tensor2d(
    Array.from({ length: B * T }, (_, i) => (i % T < (i / T) % 3 ? 0 : 1)),
    [B, T],
  );
  const { fused, ops } = bothWays(() => tf.variableGrads(() => everyOutput(model, ids, keyMask)));
  assertSame(fused.value, ops.value, 'loss');
  assertSameGrads(model, fused.grads, ops.grads, 'whole rows');
  assert.equal(Object.keys(ops.grads).length, 4 + 12 * config.nLayers);
  model.dispose();
});

/** A preference batch's rows: chosen, rejected and a third response of each of five prompts. */
function preferenceRows(): TokenizedSequence[] {
  const prompts = [9, 14, 3, 11, 7].map(tokens);
  return [0, 1, 2].flatMap((j) =>
    prompts.map((p, i) => ({ ids: [...p, ...tokens(4 + ((i * 5 + j * 3) % 13))], promptLength: p.length })),
  );
}

test('a shared prompt: response log-probs, pooled states and gradients through the cached keys equal', { skip }, () => {
  const model = initCausalLM(config, 12);
  const rows = preferenceRows();
  const { fused, ops } = bothWays(() =>
    tf.variableGrads(() => {
      const lp = responseLogProbs(model, rows, 0);
      assert.equal(lp.layout, 'shared-prompt');
      const pooled = tf.sum(tf.mul(lp.pooled(), tf.randomNormal([rows.length, config.dModel], 0, 1, 'float32', 3)));
      return tf.addN([tf.sum(tf.mul(lp.sum, tf.range(1, rows.length + 1))), tf.sum(lp.mean), pooled]) as tf.Scalar;
    }),
  );
  assertSame(fused.value, ops.value, 'loss');
  assertSameGrads(model, fused.grads, ops.grads, 'shared prompt');
  model.dispose();
});

test('LoRA on the attention: the adapters get the same gradients, the frozen weights none', { skip }, () => {
  const model = initCausalLM(config, 13);
  model.attachLora({ rank: 4, alpha: 8 }, 5);
  const rows = preferenceRows();
  const vars = model.trainableVariables();
  const { fused, ops } = bothWays(() =>
    tf.variableGrads(() => tf.sum(responseLogProbs(model, rows, 0).sum) as tf.Scalar, vars),
  );
  assertSame(fused.value, ops.value, 'loss');
  assertSameGrads(model, fused.grads, ops.grads, 'LoRA');
  model.dispose();
});

test('gradient checkpointing: the recomputed blocks give the same gradients', { skip }, () => {
  const model = initCausalLM(config, 14);
  model.gradientCheckpointing = true;
  const B = 4,
    T = 21;
  const ids = tf.tensor2d(tokens(B * T), [B, T], 'int32');
  const keyMask = tf.ones([B, T]) as tf.Tensor2D;
  const { fused, ops } = bothWays(() => tf.variableGrads(() => everyOutput(model, ids, keyMask)));
  assertSameGrads(model, fused.grads, ops.grads, 'checkpointed');
  model.dispose();
});

test('a frozen reference model and the sampler: the same log-probs and the same tokens', { skip }, () => {
  const model = initCausalLM(config, 15);
  const reference = model.clone(false);
  const rows = preferenceRows();
  const { fused, ops } = bothWays(() => tf.tidy(() => responseLogProbs(reference, rows, 0).sum.dataSync()));
  assertSame(fused, ops, 'reference log-probs');
  const prompts = [tokens(5), tokens(12), tokens(8)];
  const options = { maxNewTokens: 20, temperature: 1, topP: 0.9, padToken: 0, seed: 4, batchSize: 3 };
  const sampled = bothWays(() => generate(model, prompts, options));
  assert.deepEqual(sampled.fused, sampled.ops);
  assert.ok(sampled.ops.every((s) => s.length === 20));
  const before = tf.memory().numTensors;
  bothWays(() => generate(model, prompts, options));
  assert.equal(tf.memory().numTensors, before, 'sampling leaves no tensor behind');
  reference.dispose();
  model.dispose();
});

test(
  'a cache of another batch, or a weight of another shape, is an error naming it, not a read past it',
  { skip },
  () => {
    const model = initCausalLM(config, 16);
    const ids = tf.tensor2d(tokens(3), [3, 1], 'int32');
    const keyMask = tf.ones([3, 6]) as tf.Tensor2D;
    const dh = config.dModel / config.nHeads;
    const cache = Array.from({ length: config.nLayers }, () => ({
      k: tf.zeros([1, config.nHeads, 5, dh]) as tf.Tensor4D,
      v: tf.zeros([1, config.nHeads, 5, dh]) as tf.Tensor4D,
    }));
    assert.throws(
      () => model.forward(ids, { keyMask, cache }),
      /fusedGpt2Block: x is \[3,1,64\]: cache keys are \[1,4,5,16\], not \[3,4,5,16\]; cache values are/,
    );
    const wrong = tf.zeros([config.dModel, config.dModel]);
    assert.throws(
      () =>
        engineBlock(
          tf.zeros([1, 2, config.dModel]) as tf.Tensor3D,
          (name) => (name === 'attn.c_attn.weight' ? wrong : model.params.get(`h.0.${name}`)!),
          tf.zeros([1, 1, 2, 2]),
          { heads: config.nHeads, layerNormEps: 1e-5, returnKeys: false },
        ),
      /attn\.c_attn\.weight is \[64,64\], not \[64,192\]/,
    );
    tf.dispose([ids, keyMask, wrong, ...cache.flatMap((c) => [c.k, c.v])]);
    model.dispose();
  },
);
