// The paired comparison on a hand-sized case: differences and head-to-head on the same seeds and prompts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outcome, pairedComparison } from './paired-comparison.js';

test('paired comparison: differences and head-to-head on the same seeds and prompts, with p-values', () => {
  const better = [
    [1, 2, 3, 4],
    [2, 3, 4, 5],
    [0, 0, 1, 1],
  ];
  const worse = [
    [0, 1, 2, 3],
    [1, 2, 3, 5],
    [-1, -1, 0, 0],
  ];
  const c = pairedComparison(better, worse);
  assert.ok(Math.abs(c.difference.mean - (1 + 0.75 + 1) / 3) < 1e-12);
  assert.ok(Math.abs(c.headToHead.mean - (1 + (3 + 0.5) / 4 + 1) / 3) < 1e-12);
  assert.ok(c.difference.p < 0.05, `p ${c.difference.p}`);
  assert.ok(c.difference.interval.low > 0);
  const same = pairedComparison(better, better);
  assert.equal(same.difference.mean, 0);
  assert.equal(same.headToHead.mean, 0.5);
  assert.equal(same.difference.p, 1);
  assert.equal(same.headToHead.p, 1);
  assert.equal(outcome(1, 1), 0.5);
  assert.throws(() => pairedComparison([[1]], [[1], [2]]), /1 seeds vs 2/);
});
