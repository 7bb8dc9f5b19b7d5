import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import {
  HfTokenizer,
  loadTokenizer,
  trainTokenizer,
  truncatePrompt,
  WordTokenizer,
  prepareDataset,
  readPreparedDataset,
  FileDataConfigSchema,
  FILE_LOADER_VERSION,
} from './index.js';
import { configHash } from '@spo/engine';

const CORPUS = [
  'The cat sat on the mat. The cat is happy.',
  'Dogs bark at night; the dog next door barks too!',
  'Café, naïve, 東京 and emoji 🙂 all encode.',
  'The the the cat cat mat mat.',
];

function saveTokenizer(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spo-tok-'));
  for (const [name, json] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(json));
  return dir;
}

test(
  'byte-level BPE trained here: lossless round trip, frequent words merged, ' +
    'same ids through @huggingface/transformers from disk',
  () => {
    const tok = trainTokenizer(CORPUS, { kind: 'bpe', vocabSize: 300, minFrequency: 2 });
    assert.ok(tok.size > 260 && tok.size <= 300, `vocabulary ${tok.size}`);
    for (const text of [...CORPUS, 'Unseen wörds: zebra-crossing 42.'])
      assert.equal(tok.decode(tok.encode(text)), text);
    assert.ok(tok.encode(' cat').length === 1, 'a word seen 5 times is one token');
    assert.deepEqual([tok.padId, tok.bosId, tok.eosId], [0, 2, 3]);
    // the saved folder opens with transformers' own AutoTokenizer-compatible class and gives the same ids
    const dir = saveTokenizer(tok.files());
    const again = loadTokenizer(dir);
    assert.ok(again instanceof HfTokenizer);
    assert.deepEqual(again.encode(CORPUS[2]), tok.encode(CORPUS[2]));
    const { PreTrainedTokenizer } = createRequire(import.meta.url)('@huggingface/transformers');
    const theirs = new PreTrainedTokenizer(
      JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')),
    );
    assert.deepEqual(theirs.encode(CORPUS[1], { add_special_tokens: false }), tok.encode(CORPUS[1]));
  },
);

test('word-level tokenizer trained here: most frequent words, rare ones unknown', () => {
  const tok = trainTokenizer(CORPUS, { kind: 'word', vocabSize: 10, minFrequency: 1 });
  assert.equal(tok.size, 10);
  const ids = tok.encode('The cat sat');
  assert.equal(ids.length, 3);
  assert.equal(tok.decode(tok.encode('The cat')), 'The cat');
  assert.equal(tok.encode('zebra')[0], 1, '<unk>');
});

test(
  'a pretrained tokenizer folder: ' +
    'special tokens from tokenizer_config.json, ' +
    'chat template applied, clear errors',
  () => {
    const trained = trainTokenizer(CORPUS, { kind: 'bpe', vocabSize: 280, minFrequency: 2 });
    const files = trained.files() as { 'tokenizer.json': unknown; 'tokenizer_config.json': Record<string, unknown> };
    const dir = saveTokenizer({
      'tokenizer.json': files['tokenizer.json'],
      'tokenizer_config.json': {
        eos_token: '<eos>',
        chat_template:
          '{% for m in messages %}<{{ m.role }}>{{ m.content }}\n' +
          '{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}',
      },
    });
    const tok = HfTokenizer.fromFolder(dir);
    assert.equal(tok.eosId, 3);
    assert.equal(tok.bosId, 3, 'no bos token: sequences start with eos, as GPT-2 does');
    assert.equal(tok.applyChatTemplate([{ role: 'user', content: 'Hi' }]), '<user>Hi\n<assistant>');
    const noEos = saveTokenizer({ 'tokenizer.json': files['tokenizer.json'], 'tokenizer_config.json': {} });
    assert.throws(() => HfTokenizer.fromFolder(noEos), /no end-of-sequence token: set "eos_token"/);
    assert.throws(() => HfTokenizer.fromFolder(tmpdir() + '/nowhere'), /no tokenizer\.json/);
    assert.ok(loadTokenizer(saveTokenizer(WordTokenizer.fromTexts(['a b']).files())) instanceof WordTokenizer);
  },
);

test('prompt truncation keeps the end or the start within the budget', () => {
  const tok = WordTokenizer.fromTexts(['a b c d e f']);
  assert.deepEqual(truncatePrompt(tok, 'a b c d e f', 4, 'keep-end'), { text: 'c d e f', tokens: 4, cut: true });
  assert.deepEqual(truncatePrompt(tok, 'a b c d e f', 4, 'keep-start'), { text: 'a b c d', tokens: 4, cut: true });
  assert.deepEqual(truncatePrompt(tok, 'a b', 4, 'keep-end'), { text: 'a b', tokens: 2, cut: false });
  const bpe = trainTokenizer(CORPUS, { kind: 'bpe', vocabSize: 300, minFrequency: 2 });
  const cutBpe = truncatePrompt(bpe, CORPUS[1], 5, 'keep-end');
  assert.ok(
    cutBpe.cut && bpe.encode(cutBpe.text).length <= 5 && CORPUS[1].endsWith(cutBpe.text),
    JSON.stringify(cutBpe),
  );
});

test(
  'prepared-data cache: built once, returned at once for the same inputs, ' + 'rebuilt when a source file changes',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spo-prep-'));
    const file = join(dir, 'pairs.jsonl');
    const rows = Array.from({ length: 60 }, (_, i) => ({
      prompt: `Question ${i}: what is ${i} plus one?`,
      chosen: `It is ${i + 1}.`,
      rejected: i % 7 === 0 ? 'too long '.repeat(10) : `Maybe ${i}.`,
    }));
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const config = FileDataConfigSchema.parse({
      source: 'files',
      format: 'pairs',
      files: [file],
      tokenizer: { kind: 'word', vocabSize: 200, minFrequency: 1 },
      maxResponseTokens: 8,
      maxChars: 1000,
      splits: { validation: 0.1, test: 0.2 },
    });
    const lines: string[] = [];
    const first = await prepareDataset(config, 1, join(dir, 'cache'), (l) => lines.push(l));
    assert.equal(first.cached, false);
    const r = first.dataset.manifest.report!;
    assert.equal(r.load.rowsRead, 60);
    assert.equal(
      r.load.badRows.dropped['response-too-long'],
      9,
      'rows 0, 7, ..., 56 have a rejected response of 20 tokens, over 8',
    );
    const c = first.dataset.manifest.counts;
    assert.equal(c.preferences + c.validation + c.test, 51);
    assert.equal(c.sft, c.preferences);
    assert.ok(c.test > 0 && c.validation > 0 && c.eval === c.test);
    // the key holds the loaders' version: data prepared by a loader since fixed (the CSV reader's
    // "_1" cells) is never served
    const sources = first.dataset.manifest.sources;
    assert.equal(basename(first.dir), configHash({ config, seed: 1, sources, loader: FILE_LOADER_VERSION }));
    assert.notEqual(
      basename(first.dir),
      configHash({ config, seed: 1, sources }),
      'not the key of the loader before version 2',
    );
    const second = await prepareDataset(config, 1, join(dir, 'cache'), () => {});
    assert.equal(second.cached, true);
    assert.equal(second.dir, first.dir);
    assert.deepEqual(second.dataset.preferences, first.dataset.preferences);
    // a damaged cache entry is prepared again, saying so; never read as it is
    writeFileSync(join(first.dir, 'preferences.jsonl'), '{"prompt": "cut short');
    assert.throws(
      () => readPreparedDataset(first.dir),
      new RegExp(
        String.raw`the prepared dataset .* is damaged: preferences\.jsonl has \d+ bytes, ` +
          String.raw`\d+ were written; run the data stage again with --force`,
      ),
    );
    const again: string[] = [];
    const repaired = await prepareDataset(config, 1, join(dir, 'cache'), (l) => again.push(l));
    assert.equal(repaired.cached, false);
    assert.match(again.join('\n'), /the cached dataset .* is damaged \(preferences\.jsonl has/);
    assert.deepEqual(repaired.dataset.preferences, first.dataset.preferences);
    writeFileSync(
      file,
      rows
        .slice(1)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const third = await prepareDataset(config, 1, join(dir, 'cache'), () => {});
    assert.equal(third.cached, false);
    assert.notEqual(third.dir, first.dir);
  },
);
