import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WordTokenizer,
  summarizationTask,
  dialogueTask,
  buildSyntheticDataset,
  encodeSequence,
  padBatch,
} from './index.js';

test('summarization oracle, worked by hand', () => {
  const ctx = { facts: ['alice likes tea', 'bob owns boats'] };
  // carol visited paris is a fact of the world the document does not state: invented
  assert.equal(summarizationTask.oracle(ctx, 'alice likes tea . bob owns boats .'), 1);
  assert.equal(summarizationTask.oracle(ctx, 'bob owns boats .'), 0.5);
  // one fact, one invented fact (−0.5), one filler sentence of 4 words + period (−0.05 × 5)
  assert.ok(
    Math.abs(
      summarizationTask.oracle(ctx, 'bob owns boats . carol visited paris . the news was short .') - (0.5 - 0.5 - 0.25),
    ) < 1e-9,
  );
  // a repeated fact counts once, its repeat is extra (4 tokens)
  assert.ok(Math.abs(summarizationTask.oracle(ctx, 'alice likes tea . alice likes tea .') - (0.5 - 0.2)) < 1e-9);
  assert.equal(summarizationTask.oracle(ctx, ''), 0);
});

test('dialogue oracle rewards steps for benign requests and refusals for harmful ones', () => {
  const benign = { request: 'make tea', harmful: false };
  assert.equal(dialogueTask.oracle(benign, 'first boil the water . then steep the leaves . finally pour the cup .'), 1);
  assert.ok(Math.abs(dialogueTask.oracle(benign, 'sorry , i can not help with that .') + 0.8) < 1e-9);
  const harmful = { request: 'steal a car', harmful: true };
  assert.equal(dialogueTask.oracle(harmful, 'sorry , i can not help with that .'), 1);
  assert.ok(Math.abs(dialogueTask.oracle(harmful, 'first break the window .') + 0.5) < 1e-9);
});

test('synthetic dataset: deterministic, labels follow the oracle more often than not, held-out prompts', () => {
  const sizes = {
    sftExamples: 50,
    preferencePairs: 400,
    validationPairs: 30,
    preferenceLists: 0,
    listSize: 4,
    evalPrompts: 20,
    labelTemperature: 0.25,
  };
  const a = buildSyntheticDataset(summarizationTask, sizes, 3);
  assert.deepEqual(a, buildSyntheticDataset(summarizationTask, sizes, 3));
  assert.notDeepEqual(a.preferences, buildSyntheticDataset(summarizationTask, sizes, 4).preferences);
  const agree = a.preferences.filter((p) => p.chosenReward! > p.rejectedReward!).length;
  const disagree = a.preferences.filter((p) => p.chosenReward! < p.rejectedReward!).length;
  assert.ok(agree > 2 * disagree && disagree > 0, `noisy labels expected: ${agree} agree, ${disagree} disagree`);
  for (const p of a.preferences) assert.notEqual(p.chosen, p.rejected);
  assert.equal(a.validation.length, 30);
  assert.ok(
    a.validation.every((p) => p.chosenReward !== undefined),
    'held-out pairs carry oracle rewards',
  );
  const withoutValidation = buildSyntheticDataset(summarizationTask, { ...sizes, validationPairs: 0 }, 3);
  assert.deepEqual(withoutValidation.preferences, a.preferences, 'held-out pairs come from their own random stream');
});

test('tokenizer: round trip and Hugging Face tokenizer.json shape', () => {
  const tok = WordTokenizer.fromTexts(['alice likes tea .', 'bob .']);
  const json = tok.toJSON() as any;
  assert.equal(json.model.type, 'WordLevel');
  assert.equal(json.pre_tokenizer.type, 'WhitespaceSplit');
  const again = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(again.encode('alice likes tea .'), tok.encode('alice likes tea .'));
  assert.equal(again.decode(again.encode('bob likes tea .')), 'bob likes tea .');
  assert.equal(tok.encode('zebra')[0], tok.unkId);
});

test('ranked lists: distinct responses, best first by Plackett-Luce on the oracle, more often right than wrong', () => {
  const sizes = {
    sftExamples: 1,
    preferencePairs: 1,
    validationPairs: 0,
    preferenceLists: 300,
    listSize: 4,
    evalPrompts: 1,
    labelTemperature: 0.25,
  };
  const { lists } = buildSyntheticDataset(summarizationTask, sizes, 5);
  assert.equal(lists.length, 300);
  let topIsBest = 0;
  for (const l of lists) {
    assert.equal(new Set(l.responses).size, 4);
    if (l.rewards![0] === Math.max(...l.rewards!)) topIsBest++;
  }
  assert.ok(
    topIsBest > (300 / 4) * 2 && topIsBest < 300,
    `the top of a noisy ranking is the best response in ${topIsBest} of 300`,
  );
});

test('sequences: response mask covers response and eos only; over-long sequences are refused', () => {
  const tok = WordTokenizer.fromTexts(['a b c d']);
  const s = encodeSequence(tok, 'a b', 'c', 16);
  assert.deepEqual(s.ids, [tok.bosId, ...tok.encode('a b c'), tok.eosId]);
  const batch = padBatch([s, encodeSequence(tok, 'a', 'b c d', 16)], tok.padId);
  assert.equal(batch.width, 6);
  assert.deepEqual(Array.from(batch.responseMask), [0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1]);
  assert.throws(() => encodeSequence(tok, 'a b c d', 'a b c d', 6), /exceeds maxLength 6/);
});
