import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Rng } from '@spo/engine';
import { buildDegreeVariantSet, degreeVariants, deleteSpans, documentFrequency, DegreeConfigSchema, keyPhrases, rakePhrases } from './index.js';

// ../shared/data beside the repository, or wherever $SPO_SHARED_DATA points
const HH = join(process.env.SPO_SHARED_DATA ?? join(import.meta.dirname, '../../../../shared/data'), 'hh-rlhf/helpful-base/test.jsonl.gz');
const cut = (text: string, ...phrases: string[]) => deleteSpans(text, phrases.map((p) => ({ start: text.indexOf(p), end: text.indexOf(p) + p.length })));

test('cutting key content out of prose leaves it well formed, and touches nothing else', () => {
  assert.equal(cut('I live in Paris, France.', 'Paris'), 'I live in, France.');
  assert.equal(cut('I live in Paris, France.', 'France'), 'I live in Paris.');
  assert.equal(cut('Paris is nice. Rome is old.', 'Paris'), 'Is nice. Rome is old.');
  assert.equal(cut('Paris is big. Rome is old.', 'Paris is big'), 'Rome is old.');
  assert.equal(cut('See the tower (Eiffel) today.', 'Eiffel'), 'See the tower today.');
  assert.equal(cut('Use (fresh, ripe) fruit.', 'fresh'), 'Use (ripe) fruit.');
  assert.equal(cut('Tips:\n\n- Boil water.\n- Add tea leaves.\n- Wait.', 'Boil water'), 'Tips:\n\n- Add tea leaves.\n- Wait.');
  assert.equal(cut('Hello  world. Keep  this.', 'world'), 'Hello. Keep  this.');
  assert.equal(cut('So  much. Keep  this.', 'much'), 'Keep  this.');
  assert.equal(cut('alice likes tea . bob owns boats .', 'boats'), 'alice likes tea . bob owns .');
});

test('RAKE on prose: phrases end at stop words, punctuation and line breaks; repeats are one phrase', () => {
  const phrases = rakePhrases('Green tea is healthy.\nGreen tea tastes bitter, sadly.');
  assert.deepEqual(phrases.map((p) => p.phrase), ['Green tea tastes bitter', 'Green tea', 'healthy', 'sadly']);
  const repeated = rakePhrases('Cats sleep. Dogs bark. Cats sleep.');
  assert.equal(repeated.find((p) => p.phrase === 'Cats sleep')!.spans.length, 2);
});

test('tf-idf and random extractors keep the asked share of content words', () => {
  const docs = ['the red fox runs', 'the red hen sits', 'a red car'];
  const df = documentFrequency(docs);
  // "red" is in every document, so tf-idf ranks it last
  const tfidf = keyPhrases('the red fox runs', { extractor: 'tfidf', keyShare: 1, documentFrequency: df }, new Rng(1));
  assert.equal(tfidf[tfidf.length - 1].phrase, 'red');
  assert.equal(keyPhrases('the red fox runs', { extractor: 'tfidf', keyShare: 0.5, documentFrequency: df }, new Rng(1)).length, 2);
  const random = keyPhrases('apple banana cherry grape lemon mango', { extractor: 'random', keyShare: 0.5 }, new Rng(1));
  assert.equal(random.length, 3);
  assert.notDeepEqual(random, keyPhrases('apple banana cherry grape lemon mango', { extractor: 'random', keyShare: 0.5 }, new Rng(2)));
});

/** What "well formed" means: no whitespace or punctuation run the original did not have, no leading punctuation. */
function assertWellFormed(original: string, pruned: string, where: string): void {
  const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
  assert.ok(count(pruned, / {2,}/g) <= count(original, / {2,}/g), `${where}: new double space in ${JSON.stringify(pruned)}`);
  assert.ok(count(pruned, / [,.;:!?](?=\s|$)/g) <= count(original, / [,.;:!?](?=\s|$)/g), `${where}: new space before punctuation in ${JSON.stringify(pruned)}`);
  assert.ok(count(pruned, /[,;:][.,;:!?]/g) <= count(original, /[,;:][.,;:!?]/g), `${where}: doubled punctuation in ${JSON.stringify(pruned)}`);
  assert.ok(!/^[\s,.;:!?]/.test(pruned) || /^[\s,.;:!?]/.test(original), `${where}: leading punctuation in ${JSON.stringify(pruned)}`);
  assert.ok(count(pruned, /\(\s*\)/g) === 0 || count(original, /\(\s*\)/g) > 0, `${where}: empty brackets in ${JSON.stringify(pruned)}`);
}

test('pruning real HH-RLHF responses: levels nested and monotone, text well formed, deterministic under a seed', { skip: existsSync(HH) ? false : `../shared/data is absent (expected ${HH})` }, () => {
  const rows = gunzipSync(readFileSync(HH)).toString('utf8').split('\n').filter(Boolean).slice(0, 300).map((l) => JSON.parse(l));
  const responses = rows.map((r) => r.chosen.slice(r.chosen.lastIndexOf('\n\nAssistant:') + 12).trim()).filter(Boolean);
  const lists = responses.map((r: string) => ({ prompt: '', responses: [r, 'x'] }));
  for (const extractor of ['rake', 'tfidf', 'random'] as const) {
    const config = DegreeConfigSchema.parse({ degrees: 4, extractor, keyShare: 0.34 });
    const set = buildDegreeVariantSet(lists, config, 11);
    assert.deepEqual(set, buildDegreeVariantSet(lists, config, 11), `${extractor}: same seed, same variants`);
    assert.notDeepEqual(set.variants, buildDegreeVariantSet(lists, config, 12).variants, `${extractor}: another seed, other variants`);
    set.variants.forEach(({ chosen }, i) => {
      const v = chosen!;
      assert.equal(v[0].text, responses[i]);
      for (let k = 1; k < v.length; k++) {
        assert.ok(v[k].removed.length >= v[k - 1].removed.length, `${extractor} #${i}: level ${k} removes fewer phrases`);
        for (const p of v[k - 1].removed) assert.ok(v[k].removed.includes(p), `${extractor} #${i}: level ${k} restores "${p}"`);
        assert.ok(v[k].text.length <= v[k - 1].text.length, `${extractor} #${i}: level ${k} is longer than level ${k - 1}`);
        assertWellFormed(responses[i], v[k].text, `${extractor} #${i} level ${k}`);
      }
    });
    const s = set.summary;
    assert.equal(s.responses, responses.length);
    for (let k = 1; k < 4; k++) assert.ok(s.meanWordsRemoved[k] > s.meanWordsRemoved[k - 1], `${extractor}: words removed grow with the level`);
    assert.ok(s.keyPhrases.mean > 1 && s.distinctPerLevel[3] > 0.9 * responses.length, `${extractor}: ${JSON.stringify(s.keyPhrases)} ${s.distinctPerLevel}`);
  }
  // a degree variant of prose, by hand: level 3 of 4 removes every key phrase and keeps the rest readable
  const v = degreeVariants('Boil the water first. Then steep green tea for three minutes.', { levels: 4, extractor: 'rake', keyShare: 1 }, new Rng(3));
  assert.equal(v[3].removed.length, 4);
  assert.deepEqual([...v[3].removed].sort(), ['Boil', 'steep green tea', 'three minutes', 'water'].sort());
});
