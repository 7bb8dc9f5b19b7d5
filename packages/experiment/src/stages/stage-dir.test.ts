// Stages under their lock: one process per stage, stale locks taken over, a folder made with another
// config moved aside (and restored when that config returns), --force retraining, damaged stage files
// named, and a stage killed after its last checkpoint finishing on the next run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendToFile, initBackend, processStartTime } from '@spo/engine';
import { parseExperimentConfig } from '../plan/experiment-config.js';
import { acquireStageLock, StageLockedError } from './stage-lock.js';
import { runStage, supersededDir } from './stage-dir.js';
import { isStageDone } from '../results/stage-record.js';
import { dataStage } from './data-stage.js';
import { sftStage } from './sft-stage.js';
import { trainStage } from './train-stage.js';
import { numericsPath, type StageContext } from './context.js';
import { planExperiment } from '../plan/plan.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stage-'));
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!; // exited by the time we use it

test('a second process on a stage stops with the holder named; a lock whose process is gone is taken over', () => {
  const dir = join(tmp(), 'sft');
  const release = acquireStageLock(dir, 'sft', () => {});
  writeFileSync(
    `${dir}.lock`,
    JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2026-01-01T00:00:00Z' }),
  ); // another live process holds it
  assert.throws(
    () => acquireStageLock(dir, 'sft', () => {}),
    (e: Error) =>
      e instanceof StageLockedError &&
      new RegExp(`being run by process ${process.ppid} on ${hostname()} since 2026-01-01`).test(e.message),
  );
  writeFileSync(`${dir}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
  const lines: string[] = [];
  const again = acquireStageLock(dir, 'sft', (l) => lines.push(l));
  assert.match(lines.join('\n'), /removing a stale lock .*sft\.lock \(process \d+ on .*is gone/);
  assert.equal(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid, process.pid);
  again();
  assert.ok(!existsSync(`${dir}.lock`), 'released');
  release(); // releasing a lock another process took is a no-op
});

test(
  'a lock whose pid now belongs to another live process (pid reused) is stale; ' +
    'the same pid and start time is the holder',
  { skip: processStartTime(process.pid) ? false : "skipped: this OS does not tell a process's start time" },
  () => {
    const dir = join(tmp(), 'rm');
    // the parent process is alive, but started at another time than the one the lock recorded
    writeFileSync(
      `${dir}.lock`,
      JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2026-01-01T00:00:00Z', processStart: '1' }),
    );
    const lines: string[] = [];
    acquireStageLock(dir, 'rm', (l) => lines.push(l))();
    assert.match(
      lines.join('\n'),
      /removing a stale lock .*rm\.lock \(process \d+ .*is gone; its pid now belongs to another process\)/,
    );
    // the same pid with the recorded start time is the holder
    writeFileSync(
      `${dir}.lock`,
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        startedAt: 'x',
        processStart: processStartTime(process.ppid),
      }),
    );
    assert.throws(() => acquireStageLock(dir, 'rm', () => {}), StageLockedError);
    rmSync(`${dir}.lock`);
  },
);

test('a full disk while writing a lock or appending to a log names the file and leaves no empty lock', (t) => {
  // a full file system: an 8 KiB tmpfs, filled (needs root to mount; skipped otherwise)
  const full = tmp();
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', full]).status !== 0)
    return t.skip('skipped: cannot mount a small tmpfs here (needs root)');
  try {
    spawnSync('dd', ['if=/dev/zero', `of=${join(full, 'fill')}`, 'bs=1k', 'count=64']);
    assert.throws(
      () => acquireStageLock(join(full, 'dpo'), 'dpo', () => {}),
      /could not write .*dpo\.lock: no space left on the device; free some space/,
    );
    assert.ok(!existsSync(join(full, 'dpo.lock')), 'no empty lock left to block the next run');
    assert.throws(
      () => appendToFile(join(full, 'fill'), 'x'.repeat(8192)),
      /could not write .*fill: no space left on the device/,
    );
  } finally {
    spawnSync('umount', [full]);
  }
});

test('a lock held on another host is never taken over by pid', () => {
  const dir = join(tmp(), 'dpo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}.lock`, JSON.stringify({ pid: deadPid(), host: 'another-host', startedAt: 'x' }));
  assert.throws(
    () => acquireStageLock(dir, 'dpo', () => {}),
    /on another-host since x; .*If that process is gone \(on another host, say\), delete/,
  );
});

test(
  'a stage run with another config is moved aside, ' + 'restored when that config returns, and --force retrains',
  async () => {
    const root = tmp();
    const dir = join(root, 'dpo');
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    let runs = 0;
    const body = () => {
      runs++;
      writeFileSync(join(dir, 'result.txt'), String(runs));
      return { runs };
    };
    await runStage({ label: 'dpo', stage: { dir, hash: 'aaa' }, log }, body);
    await runStage({ label: 'dpo', stage: { dir, hash: 'aaa' }, log }, body);
    assert.equal(runs, 1, 'a done stage is skipped');
    await runStage({ label: 'dpo', stage: { dir, hash: 'bbb' }, log }, body);
    assert.equal(
      readFileSync(join(supersededDir(dir, 'aaa'), 'result.txt'), 'utf8'),
      '1',
      'the first result is kept aside',
    );
    assert.match(lines.join('\n'), /was made with another config \(aaa\); moved it to .*\.superseded.*dpo-aaa/);
    await runStage({ label: 'dpo', stage: { dir, hash: 'aaa' }, log }, body);
    assert.equal(runs, 2, 'the earlier run comes back instead of retraining');
    assert.equal(readFileSync(join(dir, 'result.txt'), 'utf8'), '1');
    assert.ok(isStageDone({ dir, hash: 'aaa' }));
    await runStage({ label: 'dpo', stage: { dir, hash: 'aaa' }, force: true, log }, body);
    assert.equal(runs, 3, '--force retrains');
    assert.match(lines.join('\n'), /is retrained \(--force\); moved it to/);
    assert.ok(!existsSync(`${dir}.lock`));
  },
);

test('damaged done.json or stage.json names the file and what to do; a failed stage releases its lock', async () => {
  const dir = join(tmp(), 'sft');
  await runStage({ label: 'sft', stage: { dir, hash: 'h' }, log: () => {} }, () => ({}));
  writeFileSync(join(dir, 'done.json'), '{"hash": "h"');
  assert.throws(
    () => isStageDone({ dir, hash: 'h' }),
    /done\.json:\d+:\d+: not valid JSON: .*; the file is damaged; delete .*sft to run that stage again/,
  );
  rmSync(join(dir, 'done.json'));
  writeFileSync(join(dir, 'stage.json'), '');
  await assert.rejects(
    runStage({ label: 'sft', stage: { dir, hash: 'h' }, log: () => {} }, () => ({})),
    /stage\.json:1:1: not valid JSON: a value was expected; the file is damaged/,
  );
  assert.ok(!existsSync(`${dir}.lock`), 'the lock goes with the failure');
});

test(
  'a stage killed after its last checkpoint ' +
    '(no done.json) finishes on the next run, ' +
    'and the next stage starts',
  async () => {
    const root = tmp();
    process.env.SPO_CACHE_DIR = join(root, 'cache');
    const quickstart = JSON.parse(
      readFileSync(new URL('../../../../experiments/quickstart/config.json', import.meta.url), 'utf8'),
    );
    const raw = {
      ...quickstart,
      name: 'tiny',
      rewardModel: undefined,
      data: { ...quickstart.data, sftExamples: 64, preferencePairs: 16, validationPairs: 8, evalPrompts: 4 },
      model: { ...quickstart.model, dModel: 16, nLayers: 1 },
      sft: { ...quickstart.sft, steps: 4, batchSize: 8, warmupSteps: 1, checkpointEvery: 2 },
      preference: { ...quickstart.preference, steps: 2, batchSize: 4, warmupSteps: 1, checkpointEvery: 2 },
      methods: [quickstart.methods[0]],
    };
    const backend = await initBackend(undefined, () => {});
    const config = parseExperimentConfig(raw, 'tiny');
    const ctx: StageContext = {
      config,
      configPath: 'tiny.json',
      plan: planExperiment(config, join(root, 'runs'), numericsPath(backend)),
      reportDir: join(root, 'reports'),
      backend,
      log: () => {},
    };
    const [variant] = ctx.plan.variants;
    await dataStage(ctx, variant);
    await sftStage(ctx, variant);
    for (const gone of [['done.json', 'train-summary.json', 'final'], ['done.json', 'final'], ['done.json']]) {
      for (const f of gone) rmSync(join(root, 'runs', 'sft', f), { recursive: true, force: true });
      await sftStage(ctx, variant);
      assert.ok(existsSync(join(root, 'runs', 'sft', 'done.json')), `finished after losing ${gone.join(', ')}`);
      assert.ok(
        Number.isFinite(JSON.parse(readFileSync(join(root, 'runs', 'sft', 'done.json'), 'utf8')).summary.final.loss),
      );
    }
    // a done stage whose final model was damaged since is not "up to date": it is moved aside and run again
    const weights = join(root, 'runs', 'sft', 'final', 'model.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(weights, bytes);
    const lines: string[] = [];
    await sftStage({ ...ctx, log: (l) => lines.push(l) }, variant);
    assert.match(
      lines.join('\n'),
      new RegExp(
        String.raw`is done but its final model is damaged \(final\/model\.safetensors does ` +
          String.raw`not match the sha256 written with it\), so it runs again`,
      ),
    );
    assert.doesNotMatch(lines.join('\n'), /up to date/);
    assert.deepEqual(
      readFileSync(weights).subarray(-1)[0] ^ bytes.subarray(-1)[0],
      1,
      'retrained weights are whole again (the same bytes as before the damage)',
    );
    await trainStage(ctx, ctx.plan.runs[0]);
    assert.ok(existsSync(join(root, 'runs', 'dpo', 'done.json')));
  },
);
