// Parity against things this project did not write: llama2.c's published greedy sample of stories260K,
// llama2.c's tokenizer (a Python port of run.c's encode, tools/fixtures/), and hand-written PyTorch
// forward passes of tiny Llama, Qwen2 and GPT-2 models (tools/fixtures/torch_logits_reference.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, initBackend, Rng } from '@spo/engine';
import { fetchForTest, tokenizerFromFiles } from '@spo/data';
import {
  readPretrained,
  readHfModel,
  exportHfFolder,
  generate,
  initCausalLM,
  sequenceLogProbs,
  type LlamaConfig,
} from './index.js';

await initBackend(undefined, () => {});
const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const { dir: STORIES, skip: storiesNote } = await fetchForTest('stories260K');

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const name of ['llama', 'llama-bf16-sharded', 'qwen2-f16', 'gpt2']) {
  test(`${name}: logits match a hand-written PyTorch forward (float64) to 1e-4`, () => {
    const dir = join(fixtures, 'tiny', name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
      input_ids: number[][];
      logits: number[][][];
    };
    const model = readHfModel(dir, false);
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const logits = model.forward(ids).logits.dataSync();
    const diff = maxAbsDiff(logits, expected.logits.flat(2));
    assert.ok(diff < 1e-4, `max |ours − PyTorch| = ${diff}`);
    model.dispose();
  });
}

test(
  'export: a Llama model written as a Hugging Face folder loads back to identical logits, ' +
    'and KV-cache decoding equals the full forward',
  () => {
    const model = readHfModel(join(fixtures, 'tiny', 'llama'), false);
    const out = mkdtempSync(join(tmpdir(), 'spo-export-'));
    const tokenizer = { 'tokenizer.json': { model: { type: 'WordLevel', vocab: {} } } };
    exportHfFolder(join(out, 'm'), model, tokenizer, { bos: 1, eos: 2 });
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'generation_config.json'])
      assert.ok(existsSync(join(out, 'm', file)), file);
    const back = readHfModel(join(out, 'm'), false);
    const ids = tf.tensor2d(
      [
        [3, 1, 4, 1, 5, 9],
        [2, 6, 5, 3, 5, 8],
      ],
      undefined,
      'int32',
    );
    assert.deepEqual(Array.from(back.forward(ids).logits.dataSync()), Array.from(model.forward(ids).logits.dataSync()));
    // one token at a time through the cache gives the full pass's last-position logits
    let cache: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
    let last: tf.Tensor = tf.zeros([1]);
    for (let t = 0; t < 6; t++) {
      const step = model.forward(tf.slice(ids, [0, t], [2, 1]) as tf.Tensor2D, { cache });
      cache = step.cache!;
      last = step.logits;
    }
    const full = tf.slice(model.forward(ids).logits, [0, 5, 0], [2, 1, model.config.vocabSize]);
    assert.ok(maxAbsDiff(last.dataSync(), full.dataSync()) < 1e-5);
  },
);

test('config.json settings computed differently are refused, naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spo-refuse-'));
  cpSync(join(fixtures, 'tiny', 'llama'), dir, { recursive: true });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const attempt = (patch: Record<string, unknown>) => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...patch }));
    return () => readHfModel(dir);
  };
  assert.throws(attempt({ rope_scaling: { type: 'linear', factor: 2 } }), /rope_scaling .* not supported/);
  assert.throws(
    attempt({ model_type: 'falcon' }),
    /model_type "falcon" is not supported; supported: gpt2, llama, mistral, qwen2/,
  );
  assert.throws(attempt({ hidden_act: 'gelu' }), /hidden_act/);
  assert.throws(attempt({ model_type: 'mistral', sliding_window: 8 }), /sliding_window/);
  assert.throws(
    attempt({ intermediate_size: 41 }),
    /mlp\.gate_proj\.weight has shape \[40,16\], config implies \[41,16\]/,
  );
});

test('Llama gradient checkpointing: the same loss and gradients', () => {
  const config: LlamaConfig = {
    architecture: 'llama',
    vocabSize: 23,
    maxPositions: 16,
    dModel: 16,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    intermediateSize: 24,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: true,
    attentionBias: false,
  };
  const model = initCausalLM(config, 3);
  const rng = new Rng(1);
  const ids = tf.tensor2d(
    Int32Array.from({ length: 3 * 10 }, () => rng.int(23)),
    [3, 10],
    'int32',
  );
  const mask = tf.tensor2d(
    Float32Array.from({ length: 30 }, (_, i) => (i % 10 >= 4 ? 1 : 0)),
    [3, 10],
  );
  const step = (on: boolean) => {
    model.gradientCheckpointing = on;
    return tf.variableGrads(() => tf.sum(sequenceLogProbs(model.forward(ids).logits, ids, mask).sum) as tf.Scalar);
  };
  const plain = step(false),
    recomputed = step(true);
  assert.ok(Math.abs(plain.value.dataSync()[0] - recomputed.value.dataSync()[0]) < 1e-5);
  assert.equal(Object.keys(plain.grads).length, model.params.size);
  for (const name of Object.keys(plain.grads))
    assert.ok(maxAbsDiff(plain.grads[name].dataSync(), recomputed.grads[name].dataSync()) < 1e-5, name);
});

test(
  "llama2.c tokenizer: our tokenizer.json encodes as llama2.c's encode does, and decodes back",
  { skip: storiesNote },
  () => {
    const { tokenizerFiles, model } = readPretrained(STORIES, false);
    model.dispose();
    const tokenizer = tokenizerFromFiles(tokenizerFiles);
    const { cases } = JSON.parse(readFileSync(join(fixtures, 'tok512-encodings.json'), 'utf8')) as {
      cases: { text: string; ids: number[] }[];
    };
    for (const { text, ids } of cases) {
      assert.deepEqual(tokenizer.encode(text), ids, JSON.stringify(text));
      assert.equal(tokenizer.decode(ids), text, JSON.stringify(text));
    }
  },
);

test(
  "stories260K: greedy decoding from BOS reproduces llama2.c's published sample token for token",
  { skip: storiesNote },
  () => {
    const { model, tokenizerFiles } = readPretrained(STORIES, false);
    const tokenizer = tokenizerFromFiles(tokenizerFiles);
    const published = readFileSync(join(fixtures, 'stories260K-greedy.txt'), 'utf8').replace(/\n$/, '');
    const [ids] = generate(model, [[tokenizer.bosId]], {
      maxNewTokens: 256,
      temperature: 0,
      topP: 1,
      stopToken: tokenizer.eosId,
      padToken: tokenizer.padId,
      seed: 1,
      batchSize: 1,
    });
    assert.deepEqual(ids, tokenizer.encode(published), 'token ids');
    assert.equal(tokenizer.decode(ids), published);
    model.dispose();
  },
);

test('LoRA: starts as the base model, only the adapters train, and the export merges them', () => {
  const model = readHfModel(join(fixtures, 'tiny', 'llama'));
  const ids = tf.tensor2d(
    [
      [3, 1, 4, 1, 5, 9, 2],
      [2, 6, 5, 3, 5, 8, 9],
    ],
    undefined,
    'int32',
  );
  const mask = tf.tensor2d([
    [0, 0, 0, 1, 1, 1, 1],
    [0, 0, 1, 1, 1, 1, 1],
  ]);
  const before = model.forward(ids).logits.dataSync().slice();
  const base = new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice()]));
  const lora = model.attachLora({ rank: 2, alpha: 4, targets: ['q_proj', 'v_proj', 'down_proj'] }, 1);
  assert.deepEqual([...model.trainableParams().keys()].sort().slice(0, 2), [
    'model.layers.0.mlp.down_proj.weight.lora_A',
    'model.layers.0.mlp.down_proj.weight.lora_B',
  ]);
  assert.equal(
    lora.parameterCount(),
    2 * (16 * 2 + 2 * 16 + (16 * 2 + 2 * 8) + (40 * 2 + 2 * 16)),
    'per layer: q [16, 16], v [16, 8], down [40, 16] at rank 2',
  );
  assert.ok(
    maxAbsDiff(model.forward(ids).logits.dataSync(), before) < 1e-6,
    'B = 0: the adapted model is the base model',
  );
  const loss = () => tf.neg(tf.sum(sequenceLogProbs(model.forward(ids).logits, ids, mask).sum)) as tf.Scalar;
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    const { value, grads } = tf.variableGrads(loss, model.trainableVariables());
    losses.push(value.dataSync()[0]);
    assert.equal(Object.keys(grads).length, model.trainableVariables().length);
    for (const v of model.trainableVariables()) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.05)));
  }
  assert.ok(losses[4] < losses[0] - 0.1, `loss ${losses[0]} → ${losses[4]}`);
  for (const [n, v] of model.params) assert.deepEqual(v.dataSync(), base.get(n), `${n} is frozen`);
  assert.throws(
    () => readHfModel(join(fixtures, 'tiny', 'llama')).attachLora({ rank: 2, alpha: 4, targets: ['c_attn'] }, 1),
    new RegExp(
      String.raw`"c_attn" matches no 2-D weight of this model; its 2-D weights are: embed_tokens, ` +
        String.raw`q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head$`,
    ),
  );
  const out = mkdtempSync(join(tmpdir(), 'spo-lora-'));
  exportHfFolder(join(out, 'm'), model, { 'tokenizer.json': {} }, { bos: 1, eos: 2 });
  const merged = readHfModel(join(out, 'm'), false);
  assert.equal(merged.lora, undefined);
  assert.ok(
    maxAbsDiff(merged.forward(ids).logits.dataSync(), model.forward(ids).logits.dataSync()) < 1e-5,
    'the merged export computes what the adapted model does',
  );
});
