// A degenerate evaluation says so instead of printing a number: a judge that could read no verdict,
// one that read some, a reward model at chance on its own validation pairs, an interval of zero width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '@spo/experiment';
import { rewardModelAtChance, winRateCell, type Cell } from './cells.js';

/** A cell of runs with only what the win-rate cell reads: the judge's outcomes and the oracle's scores. */
function cell(runs: { judge?: { outcomes: number[]; readable: boolean[] }; oracle?: number[] }[]): Cell {
  const results = runs.map((r, seed) => ({
    run: { seed: seed + 1 },
    eval: {
      judge: r.judge && { ...r.judge, invalid: r.judge.readable.filter((x) => !x).length, model: 'm', template: 't' },
      // the same scores by the oracle and by the reward model
      scores: r.oracle
        ? Object.fromEntries(
            ['oracle', 'reward-model'].map((e) => [e, { policy: r.oracle, baseline: r.oracle!.map(() => 0) }]),
          )
        : {},
    },
  })) as unknown as RunResult[];
  return { label: 'dpo', methodName: 'dpo', variant: 'default', results };
}

test('a judge that read no verdict: "no valid verdicts (N unreadable)", not 50%', () => {
  const dot = { outcomes: Array(25).fill(0.5), readable: Array(25).fill(false) };
  assert.equal(
    winRateCell(cell([{ judge: dot }, { judge: dot }]), 'llm-judge', false),
    'no valid verdicts (50 unreadable)',
  );
});

test('a judge that read some: the rate over the readable ones, the unreadable counted beside it', () => {
  const some = { outcomes: [1, 1, 0.5, 0, 0.5], readable: [true, true, false, true, false] };
  const other = { outcomes: [1, 0, 1, 1, 1], readable: [true, true, true, true, true] };
  const text = winRateCell(cell([{ judge: some }, { judge: other }]), 'llm-judge', false);
  // seed means 2/3 and 4/5
  assert.match(text, /^73\.3% \[.*\] \(2\); 2 of 10 unreadable, left out$/);
});

test('a reward model at chance on its validation pairs is flagged, and so is a zero-width interval', () => {
  assert.equal(rewardModelAtChance({ n: 300, accuracy: 0.497 }), true);
  assert.equal(rewardModelAtChance({ n: 300, accuracy: 0.7 }), false);
  assert.equal(rewardModelAtChance(undefined), false);
  const tied = cell([{ oracle: [0, 0, 0] }, { oracle: [0, 0, 0] }]);
  assert.equal(winRateCell(tied, 'oracle', false), '50.0% [50.0, 50.0] (2); degenerate interval');
  const scored = cell([{ oracle: [1, -1, 1] }, { oracle: [1, 1, 1] }]);
  assert.match(winRateCell(scored, 'reward-model', true), /^83\.3% \[.*\] \(2\); reward model at chance$/);
  assert.match(winRateCell(scored, 'oracle', false), /^83\.3% \[.*\] \(2\)$/);
});
