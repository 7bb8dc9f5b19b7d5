import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lengthBuckets, lengthBucketsOn, setLengthBuckets, MIN_SAVING } from './length-buckets.js';

test('two buckets at the split with the fewest padded positions, each in row order', () => {
  // one pass: 8 x 9 = 72 positions; split after length 4: 5 x 4 + 3 x 9 = 47 (the best; after 3 or 5: 48)
  const lengths = [4, 2, 9, 6, 1, 3, 2, 5];
  const positions = (buckets: number[][]) =>
    buckets.reduce((n, rows) => n + rows.length * Math.max(...rows.map((r) => lengths[r])), 0);
  const buckets = lengthBuckets(lengths, true);
  assert.deepEqual(buckets, [
    [0, 1, 4, 5, 6],
    [2, 3, 7],
  ]);
  assert.equal(positions(buckets), 5 * 4 + 3 * 9);
  // no other split of the sorted rows does better
  const sorted = lengths.map((_, r) => r).sort((a, b) => lengths[a] - lengths[b]);
  for (let s = 1; s < sorted.length; s++)
    assert.ok(positions([sorted.slice(0, s), sorted.slice(s)]) >= positions(buckets), `split at ${s}`);
  // off: one bucket whatever the lengths
  assert.deepEqual(lengthBuckets(lengths, false), [[0, 1, 2, 3, 4, 5, 6, 7]]);
});

test('one bucket when a split saves less than MIN_SAVING of the positions, or all rows are equal', () => {
  assert.deepEqual(lengthBuckets([5, 5, 5, 5], true), [[0, 1, 2, 3]]);
  // best split: 3 x 4 + 1 x 5 = 17 of 20, a saving of 15%
  assert.ok(MIN_SAVING > 0.15);
  assert.deepEqual(lengthBuckets([4, 5, 4, 4], true), [[0, 1, 2, 3]]);
  assert.deepEqual(lengthBuckets([7], true), [[0]]);
  assert.deepEqual(lengthBuckets([], true), [[]]);
  // never a bucket of empty rows (a pass of width 0)
  assert.deepEqual(lengthBuckets([0, 0, 0], true), [[0, 1, 2]]);
  assert.deepEqual(lengthBuckets([0, 0, 0, 10], true), [[0, 1, 2, 3]]);
  // rows of one length stay together: a split never divides them
  assert.deepEqual(lengthBuckets([1, 1, 8, 8, 1], true), [
    [0, 1, 4],
    [2, 3],
  ]);
});

test('$SPO_LENGTH_BUCKETS: off when unset, on or off as set, an error naming it otherwise', () => {
  assert.equal(lengthBucketsOn({}), false);
  assert.equal(lengthBucketsOn({ SPO_LENGTH_BUCKETS: 'on' }), true);
  assert.equal(lengthBucketsOn({ SPO_LENGTH_BUCKETS: 'off' }), false);
  assert.throws(() => lengthBucketsOn({ SPO_LENGTH_BUCKETS: 'yes' }), /\$SPO_LENGTH_BUCKETS is "yes".*"on" or "off"/);
  setLengthBuckets(true);
  try {
    assert.equal(lengthBucketsOn({}), true);
  } finally {
    setLengthBuckets(undefined);
  }
  assert.equal(lengthBucketsOn({}), false);
});
