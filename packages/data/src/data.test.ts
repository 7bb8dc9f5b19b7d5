import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spo/engine';
import {
  WordTokenizer, summarizationTask, dialogueTask, buildSyntheticDataset, rakePhrases, degreeVariants, deleteSpans,
  encodeSequence, padBatch, prepareSynthetic, SyntheticDataConfigSchema, buildDegreeVariantSet, DegreeConfigSchema, pairAsList,
} from './index.js';

test('summarization oracle, worked by hand', () => {
  const ctx = { facts: ['alice likes tea', 'bob owns boats'] };
  // carol visited paris is a fact of the world the document does not state: invented
  assert.equal(summarizationTask.oracle(ctx, 'alice likes tea . bob owns boats .'), 1);
  assert.equal(summarizationTask.oracle(ctx, 'bob owns boats .'), 0.5);
  // one fact, one invented fact (−0.5), one filler sentence of 4 words + period (−0.05 × 5)
  assert.ok(Math.abs(summarizationTask.oracle(ctx, 'bob owns boats . carol visited paris . the news was short .') - (0.5 - 0.5 - 0.25)) < 1e-9);
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
  const sizes = { sftExamples: 50, preferencePairs: 400, validationPairs: 30, preferenceLists: 0, listSize: 4, evalPrompts: 20, labelTemperature: 0.25 };
  const a = buildSyntheticDataset(summarizationTask, sizes, 3);
  assert.deepEqual(a, buildSyntheticDataset(summarizationTask, sizes, 3));
  assert.notDeepEqual(a.preferences, buildSyntheticDataset(summarizationTask, sizes, 4).preferences);
  const agree = a.preferences.filter((p) => p.chosenReward! > p.rejectedReward!).length;
  const disagree = a.preferences.filter((p) => p.chosenReward! < p.rejectedReward!).length;
  assert.ok(agree > 2 * disagree && disagree > 0, `noisy labels expected: ${agree} agree, ${disagree} disagree`);
  for (const p of a.preferences) assert.notEqual(p.chosen, p.rejected);
  assert.equal(a.validation.length, 30);
  assert.ok(a.validation.every((p) => p.chosenReward !== undefined), 'held-out pairs carry oracle rewards');
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

test('RAKE: phrases between stop words and punctuation, scored degree / frequency', () => {
  const phrases = rakePhrases('first mix the flour . then knead the dough well .');
  assert.deepEqual(phrases.map((p) => p.phrase).sort(), ['dough', 'flour', 'knead', 'mix']);
  const scored = rakePhrases('red apple pie . apple .');
  // words: red(deg 3, freq 1)=3, apple(deg 3+1=4, freq 2)=2, pie(3/1)=3 -> "red apple pie" = 8, "apple" = 2
  assert.deepEqual(scored.map((p) => [p.phrase, p.score]), [['red apple pie', 8], ['apple', 2]]);
});

test('degree variants: nested, monotone in removed phrases, labelled 0..K-1, deterministic under a seed', () => {
  const text = 'alice likes tea . bob owns boats . carol fears bees .';
  const v = degreeVariants(text, { levels: 4, extractor: 'rake', keyShare: 1 }, new Rng(9));
  assert.deepEqual(v.map((x) => x.level), [0, 1, 2, 3]);
  assert.equal(v[0].text, text);
  assert.deepEqual(v.map((x) => x.removed.length), [0, 1, 2, 3]);
  for (let k = 1; k < 4; k++) for (const p of v[k - 1].removed) assert.ok(v[k].removed.includes(p));
  assert.equal(v[3].text, '');
  for (const x of v) assert.ok(!/ {2}|^ | $|\. \./.test(x.text), `well formed: "${x.text}"`);
  assert.deepEqual(v, degreeVariants(text, { levels: 4, extractor: 'rake', keyShare: 1 }, new Rng(9)));
  assert.notDeepEqual(v, degreeVariants(text, { levels: 4, extractor: 'rake', keyShare: 1 }, new Rng(10)));
  assert.equal(deleteSpans('first mix the flour . then bake it .', [{ start: 6, end: 9 }, { start: 14, end: 19 }]), 'then bake it .');
});

test('ranked lists: distinct responses, best first by Plackett-Luce on the oracle, more often right than wrong', () => {
  const sizes = { sftExamples: 1, preferencePairs: 1, validationPairs: 0, preferenceLists: 300, listSize: 4, evalPrompts: 1, labelTemperature: 0.25 };
  const { lists } = buildSyntheticDataset(summarizationTask, sizes, 5);
  assert.equal(lists.length, 300);
  let topIsBest = 0;
  for (const l of lists) {
    assert.equal(new Set(l.responses).size, 4);
    if (l.rewards![0] === Math.max(...l.rewards!)) topIsBest++;
  }
  assert.ok(topIsBest > 300 / 4 * 2 && topIsBest < 300, `the top of a noisy ranking is the best response in ${topIsBest} of 300`);
});

test('degree variant sets: chosen side only by default, the worst response for "rejected", seeded', () => {
  const config = SyntheticDataConfigSchema.parse({ source: 'synthetic', task: 'dialogue', sftExamples: 5, preferencePairs: 5, evalPrompts: 3 });
  const lists = prepareSynthetic(config, 1).preferences.map(pairAsList);
  const set = buildDegreeVariantSet(lists, DegreeConfigSchema.parse({}), 1);
  // the synthetic responses are all content words, so the last level (every key phrase cut) is empty and left out
  assert.deepEqual(set.variants[0].chosen!.map((v) => v.level), [0, 1, 2]);
  assert.equal(set.variants[0].chosen![0].text, lists[0].responses[0]);
  assert.ok(set.summary.levelsLeftOut.empty >= 5, 'every response loses at least its empty last level');
  assert.equal(set.variants[0].rejected, undefined);
  assert.deepEqual(set.summary.meanPhrasesRemoved[0], 0);
  assert.ok(set.summary.meanPhrasesRemoved[3] > set.summary.meanPhrasesRemoved[1]);
  const both = buildDegreeVariantSet(lists, DegreeConfigSchema.parse({ target: 'both', degrees: 3 }), 1);
  assert.equal(both.variants[0].rejected![0].text, lists[0].responses[1]);
  assert.ok(both.variants[0].rejected!.length >= 2 && both.variants[0].rejected!.length <= 3);
  assert.deepEqual(set, buildDegreeVariantSet(lists, DegreeConfigSchema.parse({}), 1));
  assert.throws(() => DegreeConfigSchema.parse({ degrees: 1 }));
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
