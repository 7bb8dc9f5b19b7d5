import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '@spo/engine';
import { initCausalLM, RewardModel, saveCheckpoint, saveRewardModel, loadRewardModel } from './index.js';

await initBackend(undefined, () => {});
const config = { vocabSize: 11, maxPositions: 16, dModel: 16, nLayers: 2, nHeads: 2, layerNormEps: 1e-5 };
const tokenizer = { 'tokenizer.json': { model: { type: 'WordLevel' } } };

test('reward = score head · final hidden state at the last real token; padding after it changes nothing', () => {
  const rm = RewardModel.fromLanguageModel(initCausalLM(config, 1), 1);
  const ids = [
    [1, 4, 5, 6],
    [2, 7, 0, 0],
  ];
  const rewards = rm.rewards(tf.tensor2d(ids, [2, 4], 'int32'), [4, 2]).arraySync();
  const w = rm.scoreWeight.dataSync();
  const hidden = rm.lm.forward(tf.tensor2d(ids, [2, 4], 'int32')).hidden.arraySync();
  const byHand = [hidden[0][3], hidden[1][1]].map((h) => h.reduce((s, x, i) => s + x * w[i], 0));
  rewards.forEach((r, b) => assert.ok(Math.abs(r - byHand[b]) < 1e-5, `${r} vs ${byHand[b]}`));
  const unpadded = rm.rewards(tf.tensor2d([[2, 7]], [1, 2], 'int32'), [2]).dataSync()[0];
  assert.ok(Math.abs(unpadded - rewards[1]) < 1e-5, 'right padding must not change the reward');
});

test('reward model round trip: the folder holds score.weight and names GPT2ForSequenceClassification', () => {
  const rm = RewardModel.fromLanguageModel(initCausalLM(config, 2), 2);
  const dir = join(mkdtempSync(join(tmpdir(), 'rm-')), 'final');
  saveRewardModel(dir, rm, tokenizer);
  const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual([hf.architectures, hf.num_labels], [['GPT2ForSequenceClassification'], 1]);
  const loaded = loadRewardModel(dir).model;
  const ids = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
  assert.equal(loaded.rewards(ids, [3]).dataSync()[0], rm.rewards(ids, [3]).dataSync()[0]);
  const lmDir = join(mkdtempSync(join(tmpdir(), 'lm-')), 'final');
  saveCheckpoint(lmDir, initCausalLM(config, 3), tokenizer);
  assert.throws(() => loadRewardModel(lmDir), /has no score.weight: .* is a language model, not a reward model/);
});
