// The tuning rule: per data variant and method, the grid point whose policy scores highest on average
// (over seeds of each seed's prompt mean), the first listed on a tie; +SPO cells and methods without a
// grid are not tuned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '@spo/experiment';
import type { Cell } from './cells.js';
import { selectSettings } from './selection.js';

function cell(methodName: string, settings: Record<string, number>, seeds: number[][], spo = false): Cell {
  const results = seeds.map((policy, s) => ({
    run: {
      seed: s + 1,
      methodName,
      settings,
      method: { loss: 'dpo', params: {}, ...(spo ? { spo: {} } : {}) },
      variant: { label: 'task=dialogue', settings: { 'data.task': 'dialogue' } },
    },
    eval: { scores: { oracle: { policy, baseline: policy.map(() => 0.5) } } },
  })) as unknown as RunResult[];
  return { label: methodName, methodName, variant: 'task=dialogue', results };
}

test('selection: the highest mean over seeds wins, a tie goes to the first point, +SPO cells are left out', () => {
  const choices = selectSettings([
    cell('dpo', { 'params.beta': 0.1, lr: 1 }, [[0.6, 0.8], [0.7]]), // seed means 0.7, 0.7
    cell('dpo', { 'params.beta': 0.3, lr: 1 }, [[0.9, 0.5], [0.8]]), // 0.7, 0.8: best
    cell('dpo', { 'params.beta': 1, lr: 1 }, [[0.75], [0.75]]), // 0.75
    cell('dpo-spo', { 'params.beta': 1 }, [[1], [1]], true),
    cell('ipo', { 'params.beta': 0.1 }, [[0.4], [0.6]]), // 0.5
    cell('ipo', { 'params.beta': 0.3 }, [[0.5], [0.5]]), // 0.5: a tie, the first stays
  ]);
  assert.equal(choices.length, 2);
  const [dpo, ipo] = choices;
  assert.deepEqual(dpo.points[dpo.chosen].settings, { 'params.beta': 0.3, lr: 1 });
  assert.ok(Math.abs(dpo.points[dpo.chosen].score.mean - 0.75) < 1e-12);
  assert.ok(Math.abs(dpo.points[dpo.chosen].gain.mean - 0.25) < 1e-12, 'gain over the baseline, paired');
  assert.deepEqual(dpo.where, { 'data.task': 'dialogue' });
  assert.equal(dpo.loss, 'dpo');
  assert.deepEqual(ipo.points[ipo.chosen].settings, { 'params.beta': 0.1 });
});
