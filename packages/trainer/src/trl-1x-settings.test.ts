// The method settings TRL 1.x added around its losses, in the trainer: mixtures of losses, LD-DPO's
// desensitised log-probs, WPO's weights and TR-DPO's reference sync, each training with and without SPO's
// degree term, and TR-DPO's synced reference surviving a kill exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { initCausalLM, type CausalLM } from '@spo/model';
import { pairAsList, prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { TrainConfigSchema, trainPreference, resolveMethod, readMetrics } from './index.js';

await initBackend(undefined, () => {});
const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    source: 'synthetic',
    task: 'summarization',
    sftExamples: 16,
    preferencePairs: 32,
    evalPrompts: 4,
  }),
  1,
);
const pairs = ds.preferences.map(pairAsList);
const shape = { vocabSize: ds.tokenizer.size, maxPositions: 64, dModel: 16, nLayers: 1, nHeads: 2, layerNormEps: 1e-5 };
const values = (m: CausalLM) => [...m.params.values()].map((v) => Array.from(v.dataSync()));

function train(
  method: unknown,
  o: { steps?: number; dir?: string; stopAfter?: number; checkpointEvery?: number } = {},
) {
  const policy = initCausalLM(shape, 4),
    reference = initCausalLM(shape, 5);
  const before = values(policy);
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'trl-1x-'));
  const lines: string[] = [];
  const summary = trainPreference({
    policy,
    reference,
    tokenizer: ds.tokenizer,
    examples: pairs,
    method: resolveMethod(method, 'method'),
    config: TrainConfigSchema.parse({
      steps: o.steps ?? 2,
      batchSize: 4,
      lr: 1e-2,
      warmupSteps: 1,
      checkpointEvery: o.checkpointEvery ?? 100,
    }),
    seed: 1,
    dir,
    stopAfter: o.stopAfter,
    log: (line) => lines.push(line),
  });
  return { summary, before, policy, reference, dir, lines, metrics: readMetrics(join(dir, 'metrics.jsonl')) };
}

const SETTINGS: [string, object][] = [
  [
    'a mixture 0.8·dpo + 0.2·bco',
    {
      losses: [
        { loss: 'dpo', weight: 0.8 },
        { loss: 'bco', weight: 0.2 },
      ],
    },
  ],
  ['LD-DPO (ldAlpha 0.5)', { loss: 'dpo', ldAlpha: 0.5 }],
  ['WPO weighting', { loss: 'dpo', weighting: 'wpo' }],
  ['TR-DPO soft sync every step', { loss: 'dpo', referenceSync: { mode: 'soft', every: 1 } }],
  ['f-divergence JS on ipo', { loss: 'ipo', params: { divergence: 'js' } }],
  ['aot', { loss: 'aot' }],
];
for (const [what, setting] of SETTINGS) {
  for (const withSpo of [false, true]) {
    test(`${what}${withSpo ? ' + SPO' : ''}: finite loss, every parameter trains`, () => {
      const { summary, before, policy } = train({ name: 'm', ...setting, ...(withSpo ? { spo: {} } : {}) });
      assert.ok(Number.isFinite(summary.final.loss), `loss ${summary.final.loss}`);
      assert.equal('degree/accuracy' in summary.final, withSpo);
      values(policy).forEach((v, i) => assert.notDeepEqual(v, before[i], `${[...policy.params.keys()][i]} unchanged`));
    });
  }
}

test('a mixture is the weighted sum of its losses’ batch means, each logged under align/<loss>', () => {
  const [row] = train({
    name: 'm',
    losses: [
      { loss: 'dpo', weight: 0.8 },
      { loss: 'bco', weight: 0.2 },
    ],
  }).metrics;
  const expected = 0.8 * row['align/dpo'] + 0.2 * row['align/bco'];
  assert.ok(Math.abs(row['align/loss'] - expected) < 1e-6, `${row['align/loss']} vs ${expected}`);
});

test('LD-DPO at ldAlpha 1 is plain DPO; below 1 it changes the loss once a pair’s lengths differ', () => {
  const plain = train({ name: 'm', loss: 'dpo' }).metrics;
  const one = train({ name: 'm', loss: 'dpo', ldAlpha: 1 }).metrics;
  const half = train({ name: 'm', loss: 'dpo', ldAlpha: 0.5 });
  assert.ok(Math.abs(one[1].loss - plain[1].loss) < 1e-6);
  assert.notEqual(half.metrics[1].loss, plain[1].loss);
  const cache = JSON.parse(readFileSync(join(half.dir, 'reference-logps.json'), 'utf8'));
  assert.equal(cache.prefixes.length, pairs.length);
  cache.prefixes.forEach((p: number[], i: number) => {
    // the shorter response's prefix sum is its whole sum; the longer one's covers fewer tokens
    assert.ok(
      p.some((x, j) => Math.abs(x - cache.responses[i][j]) < 1e-4),
      `pair ${i}`,
    );
  });
});

test('WPO: each step logs its mean pair weight, in (0, 1]', () => {
  for (const row of train({ name: 'm', loss: 'dpo', weighting: 'wpo' }).metrics)
    assert.ok(row['wpo/weight'] > 0 && row['wpo/weight'] <= 1, `${row['wpo/weight']}`);
});

test('TR-DPO hard sync: the reference becomes the policy at every τ steps and its log-probs are recomputed', () => {
  const run = train({ name: 'm', loss: 'dpo', referenceSync: { mode: 'hard', every: 2 } }, { steps: 3 });
  assert.deepEqual(
    run.metrics.map((r) => r['reference/syncs']),
    [0, 0, 1],
  );
  assert.equal(run.lines.filter((l) => /hard sync/.test(l)).length, 1);
  // after one more step the policy moved on, so the reference is the policy of step 2, not the final one
  assert.notDeepEqual(values(run.reference), values(run.policy));
  const soft = train({ name: 'm', loss: 'dpo', referenceSync: { mode: 'soft', alpha: 0.5, every: 2 } }, { steps: 2 });
  assert.deepEqual(values(soft.reference), values(initCausalLM(shape, 5)), 'no sync before step τ');
});

for (const [when, stopAfter] of [
  ['between syncs', 3],
  ['on a sync step', 4],
] as const) {
  test(`TR-DPO: a run killed ${when} resumes to the uninterrupted run's weights, reference and metrics`, () => {
    const method = { name: 'm', loss: 'dpo', referenceSync: { mode: 'soft', alpha: 0.6, every: 2 } };
    const full = train(method, { steps: 6, checkpointEvery: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'trl-1x-killed-'));
    train(method, { steps: 6, checkpointEvery: 1, dir, stopAfter });
    const resumed = train(method, { steps: 6, checkpointEvery: 1, dir });
    assert.equal(resumed.summary.resumedFrom, stopAfter);
    assert.deepEqual(values(resumed.policy), values(full.policy));
    assert.deepEqual(values(resumed.reference), values(full.reference));
    assert.deepEqual(resumed.metrics, full.metrics);
  });
}

test('the new settings are validated with the field named', () => {
  const errors = (m: object) => {
    try {
      resolveMethod({ name: 'x', ...m }, 'methods.0');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.match(errors({ loss: 'dpo', losses: [{ loss: 'bco' }] }), /methods\.0\.loss: give either "loss"/);
  assert.match(errors({}), /give either "loss"/);
  assert.match(errors({ losses: [{ loss: 'dpo' }, { loss: 'soft-pl' }] }), /losses\.1\.loss: .*ranked lists/);
  assert.match(errors({ losses: [{ loss: 'dpo', params: { beta: -1 } }] }), /methods\.0\.losses\.0\.params\.beta/);
  assert.match(errors({ loss: 'dpo', ldAlpha: 1.5 }), /methods\.0\.ldAlpha/);
  assert.match(errors({ loss: 'soft-pl', weighting: 'wpo' }), /methods\.0\.weighting: WPO weights pairs/);
  assert.match(errors({ loss: 'simpo', referenceSync: { mode: 'hard' } }), /referenceSync: nothing to sync/);
  assert.match(errors({ loss: 'dpo', referenceSync: { mode: 'hard', alpha: 0.5 } }), /referenceSync\.alpha/);
});
