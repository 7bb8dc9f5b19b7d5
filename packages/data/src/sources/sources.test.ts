import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fetchForTest,
  loadSourceFiles,
  hhPrompt,
  seededSplit,
  type LoadSourceOptions,
  type BadRowReason,
} from '../index.js';

// the public datasets, fetched from the test mirror (skipped, saying how to enable them, without one)
const HH_RLHF = await fetchForTest('hh-rlhf');
const TLDR = await fetchForTest('summarize-from-feedback');
const DEMO = await fetchForTest('llamafactory-dpo-en-demo');
const base = { onBadRow: 'error' as const, maxChars: 20000, renderPrompt: hhPrompt };
const load = (o: Partial<LoadSourceOptions> & Pick<LoadSourceOptions, 'format' | 'files'>) =>
  loadSourceFiles({ ...base, ...o });

function fixture(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'spo-src-')), name);
  writeFileSync(path, content);
  return path;
}
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const hh = (prompt: string, a: string, b: string) => ({
  chosen: `\n\nHuman: ${prompt}\n\nAssistant: ${a}`,
  rejected: `\n\nHuman: ${prompt}\n\nAssistant: ${b}`,
});

// Row counts and known quirks as the datasets' provenance notes (docs/datasets.md) state them.

test('HH-RLHF test splits: row counts and quirks match SOURCE.md', { skip: HH_RLHF.skip }, async () => {
  const expected: Record<string, { rows: number; identical: number; mismatch: number }> = {
    'harmless-base': { rows: 2312, identical: 0, mismatch: 5 },
    'helpful-base': { rows: 2354, identical: 2, mismatch: 9 },
    'helpful-online': { rows: 1137, identical: 2, mismatch: 0 },
    'helpful-rejection-sampled': { rows: 2749, identical: 32, mismatch: 3 },
  };
  let total = 0;
  for (const [split, e] of Object.entries(expected)) {
    const { rows, summary } = await load({
      format: 'hh-rlhf',
      files: [join(HH_RLHF.dir, split, 'test.jsonl.gz')],
      onBadRow: 'skip',
    });
    const d = summary.badRows.dropped;
    assert.equal(summary.rowsRead, e.rows, split);
    assert.equal(d['identical-responses'] ?? 0, e.identical, `${split} identical`);
    assert.equal(d['prompt-mismatch'] ?? 0, e.mismatch, `${split} prompt mismatch`);
    assert.equal(
      summary.rowsKept + Object.values(d).reduce((a, b) => a + b!, 0),
      e.rows,
      `${split}: every row kept or counted`,
    );
    for (const r of rows) {
      assert.ok(r.prompt.startsWith('\n\nHuman:') && r.prompt.endsWith('\n\nAssistant:'));
      assert.ok(r.responses[0] && r.responses[1] && r.responses[0] !== r.responses[1]);
    }
    total += summary.rowsRead;
  }
  assert.equal(total, 8552);
});

test(
  'TL;DR comparisons and the ShareGPT demo set: row counts match SOURCE.md, prompts in the paper format',
  { skip: TLDR.skip || DEMO.skip },
  async () => {
    const counts: Record<string, number> = { batch13: 1097, batch18: 674, cnndm0: 437, edit_b2_eval_test: 5 };
    for (const [file, n] of Object.entries(counts)) {
      const { rows, summary } = await load({
        format: 'tldr',
        files: [join(TLDR.dir, 'comparisons', `${file}.json`)],
        onBadRow: 'skip',
      });
      assert.equal(summary.rowsRead, n, file);
      assert.ok(
        rows.every((r) => r.prompt.endsWith('\nTL;DR:') && /^(SUBREDDIT: r\/[^/]|TITLE: )/.test(r.prompt)),
        file,
      );
    }
    const batch13 = await load({ format: 'tldr', files: [join(TLDR.dir, 'comparisons/batch13.json')] });
    // the first row's choice is 0: the chosen summary is summaries[0]
    assert.ok(batch13.rows[0].responses[0].startsWith('Started dating this girl 3 weeks ago'));
    assert.equal(batch13.rows[0].split, 'valid2');
    const demo = await load({ format: 'sharegpt', files: [join(DEMO.dir, 'dpo_en_demo.json')] });
    assert.equal(demo.summary.rowsRead, 300);
    assert.equal(demo.summary.rowsKept, 300);
    assert.ok(demo.rows.every((r) => r.prompt.includes('\n\nHuman: ') && r.prompt.endsWith('\n\nAssistant:')));
  },
);

test(
  'generic formats: JSONL with strings, conversations, a JSON array, ' +
    'CSV and TSV with own column names, gzip, ranked lists',
  async () => {
    const pairs = await load({
      format: 'pairs',
      files: [
        fixture(
          'p.jsonl',
          jsonl([
            { prompt: 'Name a colour.', chosen: 'Blue.', rejected: 'Seven.' },
            {
              chosen: [
                { role: 'user', content: 'Hi' },
                { role: 'assistant', content: 'Hello!' },
              ],
              rejected: [
                { role: 'user', content: 'Hi' },
                { role: 'assistant', content: 'Go away.' },
              ],
            },
          ]),
        ),
      ],
    });
    assert.deepEqual(
      pairs.rows.map((r) => [r.prompt, ...r.responses]),
      [
        ['Name a colour.', 'Blue.', 'Seven.'],
        ['\n\nHuman: Hi\n\nAssistant:', 'Hello!', 'Go away.'],
      ],
    );

    const array = fixture(
      'a.json',
      `[\n  {"conversations": [{"from": "human", "value": "Q?"}],\n` +
        `   "chosen": {"from": "gpt", "value": "A."},\n   "rejected": {"from": "gpt", "value": "B."}}\n]\n`,
    );
    assert.deepEqual((await load({ format: 'sharegpt', files: [array] })).rows[0].responses, ['A.', 'B.']);

    const csv = fixture('c.csv', 'question,good,bad\n"Why, though?","Because ""x"".",No\n');
    const fromCsv = await load({
      format: 'csv',
      files: [csv],
      fields: { prompt: 'question', chosen: 'good', rejected: 'bad' },
    });
    assert.deepEqual(
      fromCsv.rows.map((r) => [r.prompt, ...r.responses]),
      [['Why, though?', 'Because "x".', 'No']],
    );
    const tsv = fixture('t.tsv', 'prompt\tchosen\trejected\nP\tC\tR\n');
    assert.deepEqual((await load({ format: 'csv', files: [tsv] })).rows[0].responses, ['C', 'R']);

    const gz = fixture('h.jsonl.gz', gzipSync(jsonl([hh('Hello', 'Hi there.', 'What?')])));
    assert.deepEqual((await load({ format: 'hh-rlhf', files: [gz] })).rows[0].responses, ['Hi there.', 'What?']);

    const ranked = await load({
      format: 'ranked',
      files: [
        fixture(
          'r.jsonl',
          jsonl([
            { prompt: 'P', responses: ['ok', 'best', 'worst'], scores: [2, 9, 1] },
            { prompt: 'Q', responses: ['second', 'first', 'third'], ranks: [2, 1, 3] },
          ]),
        ),
      ],
    });
    assert.deepEqual(
      ranked.rows.map((r) => r.responses),
      [
        ['best', 'ok', 'worst'],
        ['first', 'second', 'third'],
      ],
    );

    const limited = await load({
      format: 'pairs',
      files: [fixture('l.jsonl', jsonl([1, 2, 3, 4].map((i) => ({ prompt: `p${i}`, chosen: 'a', rejected: 'b' }))))],
      limit: 2,
    });
    assert.equal(limited.rows.length, 2);
  },
);

// One row of each bad-input class, the error each must raise, and the reason skip mode counts it under.
const BAD_ROWS: {
  name: string;
  format: LoadSourceOptions['format'];
  file: string;
  content: string | Buffer;
  line: number;
  field?: string;
  reason: BadRowReason;
}[] = [
  {
    name: 'not JSON',
    format: 'pairs',
    file: 'x.jsonl',
    content: `${JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })}\n{"prompt": "p", "chosen": \n`,
    line: 2,
    reason: 'not-json',
  },
  {
    name: 'missing field',
    format: 'pairs',
    file: 'x.jsonl',
    content: jsonl([
      { prompt: 'p', chosen: 'a', rejected: 'b' },
      { prompt: 'p', chosen: 'a' },
    ]),
    line: 2,
    field: 'rejected',
    reason: 'missing-field',
  },
  {
    name: 'wrong type',
    format: 'tldr',
    file: 'x.json',
    content: jsonl([
      { info: { post: 'x', title: 't', subreddit: 's' }, summaries: [{ text: 'a' }, { text: 'b' }], choice: 'first' },
    ]),
    line: 1,
    field: 'choice',
    reason: 'missing-field',
  },
  {
    name: 'not UTF-8',
    format: 'pairs',
    file: 'x.jsonl',
    content: Buffer.concat([
      Buffer.from(jsonl([{ prompt: 'p', chosen: 'a', rejected: 'b' }])),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
    ]),
    line: 2,
    reason: 'not-utf8',
  },
  {
    name: 'empty response',
    format: 'pairs',
    file: 'x.jsonl',
    content: jsonl([{ prompt: 'p', chosen: '  ', rejected: 'b' }]),
    line: 1,
    field: 'chosen',
    reason: 'empty-response',
  },
  {
    name: 'over-long text',
    format: 'pairs',
    file: 'x.jsonl',
    content: jsonl([{ prompt: 'p', chosen: 'a', rejected: 'b'.repeat(50) }]),
    line: 1,
    field: 'rejected',
    reason: 'too-long',
  },
  {
    name: 'bad array element',
    format: 'sharegpt',
    file: 'x.json',
    content: '[\n {"conversations": "q", "chosen": "a", "rejected": "b"},\n {"conversations": nope}\n]',
    line: 3,
    reason: 'not-json',
  },
  {
    name: 'missing CSV column',
    format: 'csv',
    file: 'x.csv',
    content: 'prompt,chosen\np,a\n',
    line: 2,
    field: 'rejected',
    reason: 'missing-field',
  },
];

for (const bad of BAD_ROWS) {
  test(`bad input, ${bad.name}: the error names file, line and field; skip mode counts the row`, async () => {
    const file = fixture(bad.file, bad.content);
    const o = { format: bad.format, files: [file], maxChars: 40 };
    await assert.rejects(load(o), (error: Error) => {
      assert.ok(
        error.message.startsWith(`${file}:${bad.line}: ${bad.field ? `field "${bad.field}"` : ''}`),
        error.message,
      );
      assert.ok(error.message.includes(`[${bad.reason}]`) && error.message.includes('onBadRow'), error.message);
      return true;
    });
    const { summary } = await load({ ...o, onBadRow: 'skip' });
    assert.equal(summary.badRows.dropped[bad.reason], 1);
    assert.equal(summary.rowsKept + 1, summary.rowsRead);
  });
}

test(
  'invalid UTF-8 in a CSV file stops the load even in skip mode: ' + 'the rows after it cannot be found again',
  async () => {
    const file = fixture(
      'u.csv',
      Buffer.concat([
        Buffer.from('prompt,chosen,rejected\np,a,b\n'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(',a,b\nq,c,d\n'),
      ]),
    );
    await assert.rejects(
      load({ format: 'csv', files: [file], onBadRow: 'skip' }),
      /u\.csv:\d+: .*not valid UTF-8.*stops the load even with data\.onBadRow "skip"/,
    );
  },
);

test('known quirks are dropped and counted even when bad rows stop the load', async () => {
  const file = fixture(
    'q.jsonl',
    jsonl([
      hh('Hi', 'Hello.', 'Hello.'),
      { chosen: '\n\nHuman: A\n\nAssistant: x', rejected: '\n\nHuman: B\n\nAssistant: y' },
      hh('Hi', 'Hello.', 'Bye.'),
    ]),
  );
  const { rows, summary } = await load({ format: 'hh-rlhf', files: [file] });
  assert.equal(rows.length, 1);
  assert.deepEqual(summary.badRows.dropped, { 'identical-responses': 1, 'prompt-mismatch': 1 });
  assert.match(summary.badRows.examples['prompt-mismatch']![0], /q\.jsonl:2: field "rejected"/);
});

test('splits: seeded, grouped by prompt, close to the asked shares', () => {
  const shares = { validation: 0.1, test: 0.2 };
  const prompts = Array.from({ length: 4000 }, (_, i) => `prompt ${i}`);
  const splits = prompts.map((p) => seededSplit(p, 7, shares));
  assert.deepEqual(
    splits,
    prompts.map((p) => seededSplit(p, 7, shares)),
  );
  assert.notDeepEqual(
    splits,
    prompts.map((p) => seededSplit(p, 8, shares)),
  );
  const share = (s: string) => splits.filter((x) => x === s).length / prompts.length;
  assert.ok(
    Math.abs(share('test') - 0.2) < 0.03 && Math.abs(share('validation') - 0.1) < 0.03,
    `${share('test')} ${share('validation')}`,
  );
});
