// What a submit queues for a plan part of which is done: per data variant its unfinished stages in a
// chain, each variant's unfinished runs as one array after them, the report after everything queued;
// nothing (not even the report) when every stage and the report are done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExperimentConfig } from '../plan/experiment-config.js';
import { planExperiment } from '../plan/plan.js';
import { writeStageDone } from '../results/stage-record.js';
import { runEvalDir } from '../results/run-eval.js';
import { slurmJobs } from './slurm-jobs.js';

const config = parseExperimentConfig(
  {
    name: 'jobs',
    seeds: [1, 2],
    seedScope: 'everything',
    data: { source: 'synthetic', task: 'summarization', sftExamples: 64, preferencePairs: 32, evalPrompts: 8 },
    model: { dModel: 16, nLayers: 1, nHeads: 2, maxPositions: 64 },
    sft: { steps: 2, batchSize: 8, warmupSteps: 1 },
    rewardModel: { steps: 2, batchSize: 8, warmupSteps: 1 },
    preference: { steps: 2, batchSize: 4, warmupSteps: 1 },
    methods: [
      { name: 'dpo', loss: 'dpo' },
      { name: 'dpo-spo', loss: 'dpo', spo: {} },
    ],
  },
  'test',
);

test('a plan part of which is done: only the rest is queued, each after what it needs', () => {
  const plan = planExperiment(config, mkdtempSync(join(tmpdir(), 'jobs-')), 'wasm/js');
  const [first, second] = plan.variants;
  const all = slurmJobs(plan, { reportMissing: true });
  assert.deepEqual(
    all.map((j) => [j.key, j.after.join(',')]),
    [
      [`data-${first.id}`, ''],
      [`sft-${first.id}`, `data-${first.id}`],
      [`rm-${first.id}`, `sft-${first.id}`],
      [`data-${second.id}`, ''],
      [`sft-${second.id}`, `data-${second.id}`],
      [`rm-${second.id}`, `sft-${second.id}`],
      [`runs-${first.id}`, `rm-${first.id}`],
      [`runs-${second.id}`, `rm-${second.id}`],
      [
        'report',
        all
          .slice(0, -1)
          .map((j) => j.key)
          .join(','),
      ],
    ],
  );

  // the first seed's variant and its DPO run finish
  for (const [dir, hash] of [
    [first.dirs.data, first.hashes.data],
    [first.dirs.sft, first.hashes.sft],
    [first.dirs.rm!, first.hashes.rm!],
  ])
    writeStageDone({ dir, hash }, {});
  const dpo = plan.runs.find((r) => r.variant.id === first.id && r.methodName === 'dpo')!;
  writeStageDone({ dir: dpo.dir, hash: dpo.hashes.train }, {});
  writeStageDone({ dir: runEvalDir(dpo.dir), hash: dpo.hashes.eval }, {});
  const rest = slurmJobs(plan, { reportMissing: false });
  assert.deepEqual(
    rest.map((j) => j.key),
    [`data-${second.id}`, `sft-${second.id}`, `rm-${second.id}`, `runs-${first.id}`, `runs-${second.id}`, 'report'],
  );
  const firstRuns = rest.find((j) => j.key === `runs-${first.id}`)!;
  assert.deepEqual(firstRuns.after, [], 'its variant is done: nothing to wait for');
  assert.deepEqual(
    firstRuns.runs,
    plan.runs.filter((r) => r.variant.id === first.id && r !== dpo).map((r) => r.name),
  );
  assert.equal(slurmJobs(plan, { reportMissing: false, force: true }).length, all.length, '--force queues every stage');

  // everything done and the report written: nothing at all
  for (const r of plan.runs) {
    writeStageDone({ dir: r.dir, hash: r.hashes.train }, {});
    writeStageDone({ dir: runEvalDir(r.dir), hash: r.hashes.eval }, {});
  }
  for (const v of plan.variants)
    for (const [dir, hash] of [
      [v.dirs.data, v.hashes.data],
      [v.dirs.sft, v.hashes.sft],
      [v.dirs.rm!, v.hashes.rm!],
    ])
      writeStageDone({ dir, hash }, {});
  assert.deepEqual(slurmJobs(plan, { reportMissing: false }), []);
  assert.deepEqual(
    slurmJobs(plan, { reportMissing: true }).map((j) => j.key),
    ['report'],
    'a missing report alone is queued',
  );
});
