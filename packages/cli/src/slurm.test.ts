// `spo submit --engine slurm` against a real Slurm controller (CI starts a single-node cluster with
// tools/slurm/local-cluster.sh): a tiny quickstart submitted and waited for writes the results.csv a
// local `spo run` writes (timing columns aside); a second submit queues nothing; a run whose folder
// cannot be made fails, the report after it is cancelled, `spo status` names the failed job and its log,
// and a submit after the fault is removed queues only that run and the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slurmAvailable } from '@spo/slurm';
import { readResultsCsv } from '@spo/reports';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const skip = slurmAvailable()
  ? false
  : 'no Slurm controller answers here (sinfo failed); start one with tools/slurm/local-cluster.sh (root, Debian 12)';

const TINY = [
  'data.sftExamples=200',
  'data.preferencePairs=64',
  'data.evalPrompts=16',
  'model.dModel=16',
  'model.nLayers=1',
  'sft.steps=10',
  'sft.warmupSteps=1',
  'rewardModel.steps=4',
  'rewardModel.warmupSteps=1',
  'preference.steps=4',
  'preference.warmupSteps=1',
  'eval.bootstrapResamples=200',
].flatMap((s) => ['--set', s]);

function spo(args: string[]): { status: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const dirs = mkdtempSync(join(tmpdir(), 'slurm-'));
const runDir = join(dirs, 'runs'),
  reportDir = join(dirs, 'report');
const common = (seeds: string) => [
  '--config',
  'experiments/quickstart/config.json',
  ...TINY,
  '--set',
  `seeds=${seeds}`,
  // one shared SFT model, so a seed's runs are one job (seedScope "everything", the default, gives each its own)
  '--set',
  'seedScope=training',
  '--run-dir',
  runDir,
  '--report-dir',
  reportDir,
];
const TIMING = new Set(['train_tokens_per_s', 'commit']);
const withoutTiming = (rows: Record<string, unknown>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k))));

test('a submitted plan writes the results.csv of a local run; a second submit queues nothing', { skip }, () => {
  const submitted = spo(['submit', '--engine', 'slurm', '--wait', ...common('[1,2]')]);
  assert.equal(submitted.status, 0, submitted.out);
  assert.match(submitted.out, /\[submit\] runs: job \d+ \(4 runs\)/);
  const jobs = JSON.parse(readFileSync(join(runDir, 'jobs.json'), 'utf8'));
  assert.deepEqual(
    jobs.submissions[0].jobs.map((j: { key: string }) => j.key),
    ['data', 'sft', 'rm', 'runs', 'report'],
  );
  const local = join(dirs, 'local');
  const ran = spo([
    'run',
    ...common('[1,2]').slice(0, -4),
    '--run-dir',
    join(local, 'runs'),
    '--report-dir',
    join(local, 'report'),
  ]);
  assert.equal(ran.status, 0, ran.out);
  assert.deepEqual(
    withoutTiming(readResultsCsv(join(reportDir, 'results.csv'))),
    withoutTiming(readResultsCsv(join(local, 'report', 'results.csv'))),
  );
  const again = spo(['submit', '--engine', 'slurm', '--wait', ...common('[1,2]')]);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /queued nothing/);
  assert.equal(JSON.parse(readFileSync(join(runDir, 'jobs.json'), 'utf8')).submissions.length, 1);
});

test(
  'a failed run cancels the report; status names it and its log; a resubmit runs only what is missing',
  { skip },
  () => {
    // seed 3's DPO run cannot make its folder: a file stands where it goes
    const blocked = join(runDir, 'dpo.seed=3');
    writeFileSync(blocked, 'not a folder');
    const failed = spo(['submit', '--engine', 'slurm', '--wait', ...common('[1,2,3]')]);
    assert.notEqual(failed.status, 0, failed.out);
    assert.match(failed.out, /\[submit\] runs: job \d+ \(2 runs\)/, 'the variant stages and seeds 1-2 are done');
    const status = spo(['status', '--json', ...common('[1,2,3]')]);
    assert.equal(status.status, 0, status.out);
    const states = JSON.parse(status.stdout);
    const of = (stage: string) => states.find((s: { stage: string }) => s.stage === stage);
    assert.equal(of('dpo.seed=3').status, 'failed');
    assert.ok(existsSync(of('dpo.seed=3').log), `the failed job's log ${of('dpo.seed=3').log}`);
    assert.match(readFileSync(of('dpo.seed=3').log, 'utf8'), /dpo\.seed=3/);
    assert.equal(of('dpo-spo.seed=3').status, 'done');
    assert.equal(of('report').status, 'cancelled');
    assert.match(of('report').slurm, /DependencyNeverSatisfied/);

    rmSync(blocked);
    const resubmitted = spo(['submit', '--engine', 'slurm', '--wait', ...common('[1,2,3]')]);
    assert.equal(resubmitted.status, 0, resubmitted.out);
    assert.match(resubmitted.out, /\[submit\] runs: job \d+ \(1 runs\)/);
    assert.doesNotMatch(resubmitted.out, /\[submit\] (data|sft|rm):/);
    assert.equal(readResultsCsv(join(reportDir, 'results.csv')).filter((r) => r.seed === 3).length, 4);
  },
);
