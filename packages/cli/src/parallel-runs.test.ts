// Runs side by side give the numbers of runs one at a time. Nx runs an experiment's training targets in
// parallel (tools/nx-experiments.cjs), each its own `spo train --run` process: this runs a tiny
// quickstart's two runs at once, as Nx does, and compares the report with a `spo run` that trains them
// one after the other (results.csv identical but for tokens/s and the commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  spo(['run', ...args('serial')]);
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
