import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, medianInterval, pairedRatio, runFor } from './measure.js';

test('median: the middle value, the mean of the two middle ones for an even count, in any order', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5]), 5);
});

test('medianInterval: binomial order statistics (n = 20: x(6), x(15), coverage 95.86%; n = 9: x(2), x(8))', () => {
  const xs = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1, unsorted
  const i20 = medianInterval(xs)!;
  assert.deepEqual([i20.low, i20.high], [6, 15]);
  // 1 − 2·P(X ≤ 5) for X ~ Binomial(20, ½): P(X ≤ 5) = 21700 / 2^20
  assert.ok(Math.abs(i20.coverage - (1 - (2 * 21700) / 2 ** 20)) < 1e-12);
  const i9 = medianInterval([1, 2, 3, 4, 5, 6, 7, 8, 9])!;
  assert.deepEqual([i9.low, i9.high], [2, 8]); // P(X ≤ 1) = 10/512 ≤ 2.5% < P(X ≤ 2) = 46/512
  assert.equal(medianInterval([1, 2, 3, 4, 5]), undefined); // 2/32 > 2.5%: no interval at 95%
  assert.deepEqual(
    [medianInterval([1, 2, 3, 4, 5, 6])!.low, medianInterval([1, 2, 3, 4, 5, 6])!.high],
    [1, 6], // 2/64 ≤ 2.5%
  );
  // n = 100: x(40), x(61), the textbook ranks; n = 1,100, where 2^−n underflows: still ordered and near the middle
  const i100 = medianInterval(Array.from({ length: 100 }, (_, i) => i + 1))!;
  assert.deepEqual([i100.low, i100.high], [40, 61]);
  const i1100 = medianInterval(Array.from({ length: 1100 }, (_, i) => i + 1))!;
  assert.ok(i1100.low > 500 && i1100.low < 550 && i1100.high > 550 && i1100.high < 600, `${i1100.low}, ${i1100.high}`);
  assert.ok(i1100.coverage >= 0.95 && i1100.coverage < 0.96);
});

test('pairedRatio: alternates the order, returns the median of b/a over the pairs', () => {
  const order: string[] = [];
  let clock = 0; // a takes 2 units, b 3, and one pair's b 30 (a slow spell): the median ignores it
  const r = pairedRatio(
    () => (order.push('a'), (clock += 2)),
    () => (order.push('b'), (clock += order.length === 8 ? 30 : 3)),
    { runs: 1, ms: 0 },
    4,
    () => clock,
  );
  assert.deepEqual(order, ['a', 'b', 'a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
  assert.equal(r.pairs, 4);
  assert.equal(r.median, 1.5);
  assert.equal(r.interval, undefined); // 4 pairs: too few for a 95% interval
});

test('runFor: at least the runs asked for, and on until the time asked for has passed; each run timed', () => {
  let clock = 0;
  const run = () => (clock += 10);
  const now = () => clock;
  // 2 runs reach 20 units: two more to pass 35
  assert.deepEqual(runFor(run, { runs: 2, ms: 35 }, now), [10, 10, 10, 10]);
  assert.equal(runFor(run, { runs: 5, ms: 15 }, now).length, 5); // the count is longer than the time
  assert.equal(runFor(run, { runs: 0, ms: 0 }, now).length, 0);
});
