import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { initCausalLM, RewardModel, saveRewardModel } from '@spo/model';
import { encodeSequence, WordTokenizer } from '@spo/data';
import { onnxRewardScorer, ownRewardScorer } from '../index.js';
import { writeTinyOnnxRewardModel } from './onnx-fixture.js';

await initBackend(undefined, () => {});
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);

test(
  'ONNX reward model through @huggingface/transformers: ' +
    'bias + W · mean embedding over real tokens (hand-computed)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-rm-'));
    // "good" pulls the score up, "bad" down; every other word embeds to 0 but still counts in the mean
    writeTinyOnnxRewardModel(dir, {
      vocab: ['<pad>', '<unk>', 'prompt', 'good', 'bad'],
      embeddings: [
        [0, 0],
        [0, 0],
        [0, 0],
        [1, 0],
        [-1, 2],
      ],
      weight: [3, 1],
      bias: 0.5,
    });
    const pair = await onnxRewardScorer(dir, { input: 'pair', maxLength: 32, batchSize: 2 });
    const scores = await pair.score(['prompt', 'prompt', 'prompt'], ['good good', 'bad', 'unknown word']);
    // [prompt good good]: mean (2/3, 0) → 3·2/3 + 0.5 = 2.5;  [prompt bad]: mean (−½, 1) → −1.5 + 1 + 0.5 = 0
    // [prompt <unk> <unk>]: mean 0 → 0.5. The second row is padded in its batch of two: the mask keeps it exact.
    [2.5, 0, 0.5].forEach((x, i) => near(scores[i], x));
    const concat = await onnxRewardScorer(dir, { input: 'concat', maxLength: 32, batchSize: 8 });
    near((await concat.score(['prompt '], ['good']))[0], 3 * 0.5 + 0.5);
    pair.dispose();
    concat.dispose();
  },
);

test('ONNX reward model: a folder without the model file is refused, naming what is missing', async () => {
  await assert.rejects(
    onnxRewardScorer(mkdtempSync(join(tmpdir(), 'empty-')), { input: 'pair', maxLength: 8, batchSize: 1 }),
    /has no config\.json; an ONNX reward model folder holds/,
  );
});

test("own reward model scorer: the checkpoint's scores, with its own tokenizer", async () => {
  const tokenizer = WordTokenizer.fromTexts(['summarize the text .', 'a b c']);
  const rm = RewardModel.fromLanguageModel(
    initCausalLM(
      { vocabSize: tokenizer.size, maxPositions: 16, dModel: 8, nLayers: 1, nHeads: 2, layerNormEps: 1e-5 },
      1,
    ),
    1,
  );
  const dir = join(mkdtempSync(join(tmpdir(), 'own-rm-')), 'final');
  saveRewardModel(dir, rm, tokenizer.files());
  const scorer = ownRewardScorer(dir);
  const got = await scorer.score(['summarize the text .', 'a'], ['a b', 'c c c']);
  // each pair scored alone (no padding) by the model's own forward: the batched, padded scores must match
  const alone = ['summarize the text .', 'a'].map(
    (p, i) => rm.score([encodeSequence(tokenizer, p, ['a b', 'c c c'][i], 16).ids], tokenizer.padId)[0],
  );
  alone.forEach((x, i) => near(got[i], x));
  scorer.dispose();
});
