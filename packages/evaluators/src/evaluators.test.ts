import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMean, winRate } from './index.js';

test('win rate: wins 1, ties ½, losses 0 (hand-computed)', () => {
  const w = winRate([1, 0.5, 0.2, 0.7], [0.5, 0.5, 0.9, 0.1], 500, 1);
  assert.deepEqual([w.wins, w.ties, w.losses], [2, 1, 1]);
  assert.equal(w.winRate, (1 + 0.5 + 0 + 1) / 4);
  assert.ok(w.interval.low <= w.winRate && w.winRate <= w.interval.high);
  assert.throws(() => winRate([1], [1, 2], 100, 1), /1 policy scores vs 2/);
});

test('bootstrap: deterministic under a seed, narrows with more data, degenerate when constant', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i % 2);
  assert.deepEqual(bootstrapMean(xs, 1000, 3), bootstrapMean(xs, 1000, 3));
  const wide = bootstrapMean(xs.slice(0, 20), 1000, 3),
    narrow = bootstrapMean([...xs, ...xs, ...xs, ...xs], 1000, 3);
  assert.ok(narrow.high - narrow.low < wide.high - wide.low);
  assert.deepEqual(bootstrapMean([0.5, 0.5], 200, 1), { low: 0.5, high: 0.5, level: 0.95 });
});
