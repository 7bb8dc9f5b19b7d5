// The readers on the inputs that broke them: CSV cells equal to an earlier cell of their row (papaparse's
// header mode renamed them "B_1" once a stream paused), at many sizes so rows fall on every chunk
// boundary; physical line numbers under multi-line cells; a JSON array or JSONL file cut short; a
// JSON Lines line far longer than a chunk, read with one join instead of one per chunk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hhPrompt, loadSourceFiles, type LoadSourceOptions } from '../index.js';
import { readCsvRows, readJsonLines, type RawRow } from './read-rows.js';

function fixture(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'spo-read-')), name);
  writeFileSync(path, content);
  return path;
}
const collect = async (rows: AsyncGenerator<RawRow>) => {
  const out: RawRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
};
const load = (o: Partial<LoadSourceOptions> & Pick<LoadSourceOptions, 'format' | 'files'>) =>
  loadSourceFiles({ onBadRow: 'error', maxChars: 1e6, renderPrompt: hhPrompt, ...o });

const VOTES = [
  ['A', 'A', 'B'],
  ['B', 'B', 'A'],
  ['A', 'A', 'A'],
];

test(
  'CSV: 300 rows of annotator votes A,A,B / B,B,A / A,A,A ' +
    "keep every row with its own label (the issue's reproduction)",
  async () => {
    const lines = ['question,response_1,response_2,ann1,ann2,ann3'];
    for (let i = 0; i < 300; i++)
      lines.push([`Question ${i}?`, `first answer ${i}`, `second answer ${i}`, ...VOTES[i % 3]].join(','));
    const file = fixture('votes.csv', `${lines.join('\n')}\n`);
    const { rows, summary } = await load({
      format: 'csv',
      files: [file],
      fields: { prompt: 'question' },
      label: { responses: ['response_1', 'response_2'], field: ['ann1', 'ann2', 'ann3'], first: ['A'], second: ['B'] },
    });
    assert.equal(summary.rowsKept, 300, JSON.stringify(summary.badRows));
    rows.forEach((r, i) => {
      const first = VOTES[i % 3].filter((v) => v === 'A').length >= 2;
      assert.deepEqual(
        r.responses,
        first ? [`first answer ${i}`, `second answer ${i}`] : [`second answer ${i}`, `first answer ${i}`],
        `row ${i}`,
      );
    });
  },
);

test(
  'CSV and TSV: cells equal to an earlier cell of their row ' +
    'come through unchanged at every size and chunk boundary',
  async () => {
    for (const [ext, sep] of [
      ['csv', ','],
      ['tsv', '\t'],
    ] as const) {
      for (const count of [1, 2, 7, 63, 64, 65, 500, 3000]) {
        // rows of varying width so they straddle the reader's 64 KiB chunks at every offset; a row whose
        // rejected text equals its prompt, and one whose cells are all equal
        const rows = Array.from({ length: count }, (_, i) =>
          i % 2 ? ['same', 'same', 'same'] : [`p${i} ${'x'.repeat(i % 97)}`, `c${i}`, `p${i} ${'x'.repeat(i % 97)}`],
        );
        const text = `prompt${sep}chosen${sep}rejected\n${rows.map((r) => r.join(sep)).join('\n')}\n`;
        const read = await collect(
          readCsvRows(fixture(`t.${ext}`, ext === 'csv' && count === 500 ? gzipSync(text) : text)),
        );
        assert.equal(read.length, count, `${ext} ${count}`);
        read.forEach((r, i) =>
          assert.deepEqual(
            'value' in r ? r.value : r,
            { prompt: rows[i][0], chosen: rows[i][1], rejected: rows[i][2] },
            `${ext} ${count} row ${i}`,
          ),
        );
      }
    }
  },
);

test(
  'CSV: line numbers are physical lines (a quoted cell may span several); ' +
    'repeated column names are made distinct; extra cells are a bad row',
  async () => {
    const file = fixture('m.csv', 'prompt,chosen,chosen\n"two\nlines",a,b\n\n"three\r\nlines\nhere",c,d\np,q,r,s\n');
    const read = await collect(readCsvRows(file));
    assert.deepEqual(
      read.map((r) => r.line),
      [2, 5, 8],
    );
    assert.deepEqual('value' in read[0] && read[0].value, { prompt: 'two\nlines', chosen: 'a', chosen_1: 'b' });
    assert.ok('error' in read[2] && read[2].error.reason === 'cell-count', JSON.stringify(read[2]));
    assert.match('error' in read[2] ? read[2].error.message : '', /m\.csv:8: 4 cells where the header has 3 columns/);
  },
);

test('a JSON array or a JSON Lines file cut short stops the load in every mode', async () => {
  const whole = JSON.stringify(
    Array.from({ length: 40 }, (_, i) => ({ prompt: `p${i}`, chosen: 'a', rejected: 'b' })),
    null,
    1,
  );
  const cutArray = fixture('cut.json', whole.slice(0, Math.floor(whole.length / 2)));
  for (const onBadRow of ['error', 'skip'] as const) {
    await assert.rejects(
      load({ format: 'pairs', files: [cutArray], onBadRow }),
      /cut\.json:\d+: the JSON array is not closed: the file is cut short.*whatever data\.onBadRow says/,
    );
  }
  const lines = Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({ prompt: `p${i}`, chosen: 'a', rejected: 'b' }),
  ).join('\n');
  const cutLines = fixture('cut.jsonl', lines.slice(0, -10));
  await assert.rejects(
    load({ format: 'pairs', files: [cutLines], onBadRow: 'skip' }),
    /cut\.jsonl:10: its last line is not valid JSON and has no newline: the file is cut short/,
  );
  // a whole file without a final newline is not cut
  assert.equal((await load({ format: 'pairs', files: [fixture('whole.jsonl', lines)] })).rows.length, 10);
  // a bad line in the middle is still a bad row that skip mode counts
  const { summary } = await load({
    format: 'pairs',
    files: [fixture('mid.jsonl', `{"prompt": \n${lines}\n`)],
    onBadRow: 'skip',
  });
  assert.deepEqual([summary.rowsKept, summary.badRows.dropped['not-json']], [10, 1]);
});

test('a JSON Lines line far longer than a read chunk is joined once, not once per chunk', async () => {
  const long = 'w'.repeat(5_000_000); // ~77 chunks of 64 KiB
  const file = fixture(
    'long.jsonl',
    `${JSON.stringify({ prompt: 'p', chosen: long, rejected: 'b' })}\n` +
      `{"prompt": "q", "chosen": "c", "rejected": "d"}\n`,
  );
  const joins = { count: 0 };
  const rows = await collect(readJsonLines(file, joins));
  assert.equal(rows.length, 2);
  assert.equal('value' in rows[0] && (rows[0].value as { chosen: string }).chosen.length, long.length);
  assert.equal(joins.count, 1, 'one join for the one line that spans chunks');
});
