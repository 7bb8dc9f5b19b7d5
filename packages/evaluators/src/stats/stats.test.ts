// The two-level bootstrap against cases worked by hand and by simulation: it reduces to the ordinary
// bootstrap with one seed, widens with between-seed spread, and covers the truth at about its level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spo/engine';
import { bootstrapMean } from '../bootstrap.js';
import { hierarchicalBootstrap, outcome, pairedComparison } from './hierarchical-bootstrap.js';

test("the estimate is the mean over seeds of each seed's mean; equal seeds give a zero-width seed level", () => {
  const e = hierarchicalBootstrap([[1, 0, 1, 1], [0, 0], [1]], 500, 1);
  assert.ok(Math.abs(e.mean - (0.75 + 0 + 1) / 3) < 1e-12);
  assert.equal(e.seeds, 3);
  assert.equal(e.n, 7);
  const constant = hierarchicalBootstrap(
    [
      [0.5, 0.5],
      [0.5, 0.5, 0.5],
    ],
    200,
    2,
  );
  assert.deepEqual([constant.interval.low, constant.interval.high], [0.5, 0.5]);
});

test('one seed: the same interval as the ordinary percentile bootstrap over prompts, to sampling error', () => {
  const rng = new Rng(3);
  const values = Array.from({ length: 400 }, () => (rng.next() < 0.6 ? 1 : 0));
  const h = hierarchicalBootstrap([values], 4000, 5);
  const b = bootstrapMean(values, 4000, 5);
  assert.ok(
    Math.abs(h.interval.low - b.low) < 0.01 && Math.abs(h.interval.high - b.high) < 0.01,
    `${JSON.stringify(h.interval)} vs ${JSON.stringify(b)}`,
  );
});

test('between-seed spread widens the interval beyond the prompts-only one', () => {
  const rng = new Rng(4);
  const seeds = [0.45, 0.55, 0.62, 0.5, 0.68].map((p) => Array.from({ length: 400 }, () => (rng.next() < p ? 1 : 0)));
  const h = hierarchicalBootstrap(seeds, 3000, 6);
  const pooled = bootstrapMean(seeds.flat(), 3000, 6);
  assert.ok(
    h.interval.high - h.interval.low > 1.5 * (pooled.high - pooled.low),
    `${h.interval.high - h.interval.low} vs ${pooled.high - pooled.low}`,
  );
});

test('coverage: about 95% of intervals over simulated experiments hold the true mean', () => {
  const rng = new Rng(7);
  const truth = 0.6;
  let covered = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    // each seed's own success rate scatters around the truth (sd 0.04), then 200 prompts per seed
    const seeds = Array.from({ length: 5 }, () => {
      const p = truth + 0.04 * rng.normal();
      return Array.from({ length: 200 }, () => (rng.next() < p ? 1 : 0));
    });
    const e = hierarchicalBootstrap(seeds, 400, t);
    if (e.interval.low <= truth && truth <= e.interval.high) covered++;
  }
  // percentile intervals with 5 seeds under-cover a little; 85-99% is the honest range at 200 trials
  assert.ok(covered / trials > 0.85 && covered / trials <= 0.99, `coverage ${covered / trials}`);
});

test(
  'paired comparison: ' +
    'differences and head-to-head on the same seeds and prompts; ' +
    'significance from the interval',
  () => {
    const better = [
      [1, 2, 3, 4],
      [2, 3, 4, 5],
    ];
    const worse = [
      [0, 1, 2, 3],
      [1, 2, 3, 5],
    ];
    const c = pairedComparison(better, worse, 1000, 1);
    assert.ok(Math.abs(c.difference.mean - (1 + 0.75) / 2) < 1e-12);
    assert.ok(Math.abs(c.headToHead.mean - (1 + (3 + 0.5) / 4) / 2) < 1e-12);
    assert.equal(c.significant, true);
    const same = pairedComparison(better, better, 1000, 1);
    assert.equal(same.difference.mean, 0);
    assert.equal(same.headToHead.mean, 0.5);
    assert.equal(same.significant, false);
    assert.equal(outcome(1, 1), 0.5);
    assert.throws(() => pairedComparison([[1]], [[1], [2]], 10, 1), /1 seeds vs 2/);
  },
);
