import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  writeResultsCsv,
  readResultsCsv,
  markdownTable,
  percentWithInterval,
  RESULT_COLUMNS,
  type ResultRow,
} from './index.js';

test('results.csv round trip keeps every column and value', () => {
  const row = Object.fromEntries(RESULT_COLUMNS.map((c, i) => [c, i])) as unknown as ResultRow;
  row.method = 'dpo, "spo"';
  row.spo = true;
  const path = join(mkdtempSync(join(tmpdir(), 'res-')), 'results.csv');
  writeResultsCsv(path, [row]);
  assert.deepEqual(readResultsCsv(path), [row]);
  // a swept setting beyond the standard columns goes after them
  writeResultsCsv(path, [{ ...row, 'params.alpha': 0.5 }], ['params.alpha']);
  assert.equal(readResultsCsv(path)[0]['params.alpha'], 0.5);
});

test('a results.csv without a required column is refused by name', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'res-')), 'results.csv');
  writeFileSync(path, 'experiment,method\nq,dpo\n');
  assert.throws(() => readResultsCsv(path), /missing column\(s\) run, same_as, loss/);
});

test('markdown table and interval formatting', () => {
  assert.equal(markdownTable(['a', 'b'], [[1, 'x|y']]), '| a | b |\n| --- | --- |\n| 1 | x\\|y |');
  assert.equal(percentWithInterval(0.625, 0.55, 0.695), '62.5% [55.0, 69.5]');
});
