// Atomic writes that clean up after themselves, checksums that catch a damaged file, and JSON reads
// whose errors name the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumProblems, readJsonFile, writeChecksums, writeDirAtomic, writeFileAtomic } from './index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'files-'));

test('a directory write that fails leaves the old folder whole and no temporary behind', () => {
  const root = tmp();
  const dir = join(root, 'final');
  writeDirAtomic(dir, (t) => writeFileSync(join(t, 'a.txt'), 'old'));
  assert.throws(() => writeDirAtomic(dir, (t) => {
    writeFileSync(join(t, 'a.txt'), 'half');
    throw new Error('killed mid-write');
  }), /killed mid-write/);
  assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(root), ['final']);
});

test('temporaries of killed processes are removed by the next write into the folder; live ones are left', () => {
  const root = tmp();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  mkdirSync(join(root, `.final.${dead}.tmp`));
  writeFileSync(join(root, `.x.json.${dead}.tmp`), '{');
  writeFileSync(join(root, `.y.json.${process.ppid}.tmp`), '{'); // a live process's write in progress
  writeFileAtomic(join(root, 'x.json'), '{}');
  assert.deepEqual(readdirSync(root).sort(), [`.y.json.${process.ppid}.tmp`, 'x.json']);
});

test('a failed write names the path and, for a full disk, what to do', () => {
  const root = tmp();
  writeFileSync(join(root, 'file'), '');
  assert.throws(() => writeFileAtomic(join(root, 'file', 'x.json'), '{}'), /could not write .*file\/x\.json: /);
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.throws(() => writeDirAtomic(join(root, 'ckpt'), () => { throw full; }), /could not write .*ckpt: no space left on the device; free some space and run again/);
  assert.ok(!readdirSync(root).some((n) => n.endsWith('.tmp')));
});

test('checksums: a flipped byte, a cut file and a missing file are each named', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.bin'), Buffer.from([1, 2, 3, 4]));
  writeFileSync(join(dir, 'b.json'), '{"x": 1}');
  writeFileSync(join(dir, 'c.txt'), 'c');
  assert.deepEqual(checksumProblems(dir), [], 'no checksums.json: nothing to check against');
  writeChecksums(dir);
  assert.deepEqual(checksumProblems(dir), []);
  writeFileSync(join(dir, 'a.bin'), Buffer.from([1, 2, 3, 5]));
  writeFileSync(join(dir, 'b.json'), '{"x"');
  spawnSync('rm', [join(dir, 'c.txt')]);
  assert.deepEqual(checksumProblems(dir), ['a.bin does not match the sha256 written with it', 'b.json has 4 bytes, 8 were written', 'c.txt is missing']);
  assert.ok(existsSync(join(dir, 'checksums.json')));
});

test('readJsonFile names the file, what is wrong and what to do', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'state.json'), '{"step": ');
  assert.throws(() => readJsonFile(join(dir, 'state.json'), 'delete it and rerun'), /state\.json: damaged, not valid JSON \(.*\); delete it and rerun/);
  assert.throws(() => readJsonFile(join(dir, 'absent.json'), 'run the data stage'), /absent\.json: cannot be read \(ENOENT\); run the data stage/);
});
