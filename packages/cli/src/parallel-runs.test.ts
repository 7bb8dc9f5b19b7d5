// Runs side by side give the numbers of runs one at a time. Nx runs an experiment's training targets in
// parallel (tools/nx-experiments.cjs), each its own `spo train --run` process, and `spo run --jobs n`
// hands the stages to n worker processes: each is compared with a `spo run` that trains one stage after
// the other in one process (results.csv identical but for tokens/s and the commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResultsCsv } from '@spo/reports';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

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

const dirs = mkdtempSync(join(tmpdir(), 'parallel-runs-'));
const args = (name: string) => [
  '--config',
  'experiments/quickstart/config.json',
  ...TINY,
  '--run-dir',
  join(dirs, name, 'runs'),
  '--report-dir',
  join(dirs, name, 'report'),
];

function spo(command: string[]): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...command], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command.join(' ')}\n${r.stdout}${r.stderr}`);
}

function spoAsync(command: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...command], { cwd: root, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command.join(' ')}\n${out}`))));
  });
}

const TIMING = new Set(['train_tokens_per_s', 'commit']);
const withoutTiming = (rows: Record<string, unknown>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k))));

test("two runs trained at once, each its own process, give one-at-a-time runs' results.csv", async () => {
  spo(['run', ...args('serial'), '--jobs', '1']);
  spo(['data', ...args('parallel')]);
  spo(['sft', ...args('parallel')]);
  spo(['train', '--stage', 'rm', ...args('parallel')]);
  await Promise.all(['dpo', 'dpo-spo'].map((run) => spoAsync(['train', '--run', run, ...args('parallel')])));
  spo(['report', ...args('parallel')]);
  const serial = readResultsCsv(join(dirs, 'serial', 'report', 'results.csv'));
  const parallel = readResultsCsv(join(dirs, 'parallel', 'report', 'results.csv'));
  assert.equal(serial.length, 4);
  assert.deepEqual(withoutTiming(parallel), withoutTiming(serial));
});

test("spo run --jobs 2 (two workers, two seeds) gives one process's results.csv; a failed task fails alone", () => {
  const twoSeeds = (name: string) => [...args(name), '--set', 'seeds=[1,2]'];
  spo(['run', ...twoSeeds('serial-two-seeds'), '--jobs', '1']);
  // another process holds one run's stage: that task fails, the other five finish, the command says which
  const runs = join(dirs, 'jobs', 'runs');
  mkdirSync(runs, { recursive: true });
  const lock = join(runs, 'default.dpo.seed=1.lock');
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
  const blocked = spawnSync(process.execPath, ['--import', 'tsx', main, 'run', ...twoSeeds('jobs'), '--jobs', '2'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.notEqual(blocked.status, 0);
  assert.match(
    blocked.stderr,
    /1 of 6 tasks failed \(the others are done\):\n {2}\[run \d\/4\] default\.dpo\.seed=1: /,
  );
  for (const run of ['default.dpo-spo.seed=1', 'default.dpo.seed=2', 'default.dpo-spo.seed=2'])
    assert.ok(existsSync(join(runs, run, 'eval', 'done.json')), `${run} was not finished`);
  rmSync(lock);
  spo(['run', ...twoSeeds('jobs'), '--jobs', '2']);
  const serial = readResultsCsv(join(dirs, 'serial-two-seeds', 'report', 'results.csv'));
  const jobs = readResultsCsv(join(dirs, 'jobs', 'report', 'results.csv'));
  assert.equal(serial.length, 8);
  assert.deepEqual(withoutTiming(jobs), withoutTiming(serial));
});
