// Atomic writes that clean up after themselves, checksums that catch a damaged file, and JSON reads
// whose errors name the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checksumProblems,
  jsonSyntaxError,
  parseJsonText,
  readJsonFile,
  writeChecksums,
  writeDirAtomic,
  writeFileAtomic,
} from './index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'files-'));

test('a directory write that fails leaves the old folder whole and no temporary behind', () => {
  const root = tmp();
  const dir = join(root, 'final');
  writeDirAtomic(dir, (t) => writeFileSync(join(t, 'a.txt'), 'old'));
  assert.throws(
    () =>
      writeDirAtomic(dir, (t) => {
        writeFileSync(join(t, 'a.txt'), 'half');
        throw new Error('killed mid-write');
      }),
    /killed mid-write/,
  );
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
  assert.throws(
    () =>
      writeDirAtomic(join(root, 'ckpt'), () => {
        throw full;
      }),
    /could not write .*ckpt: no space left on the device; free some space and run again/,
  );
  assert.ok(!readdirSync(root).some((n) => n.endsWith('.tmp')));
});

test('checksums: a flipped byte, a cut file and a missing file are each named', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.bin'), Buffer.from([1, 2, 3, 4]));
  writeFileSync(join(dir, 'b.json'), '{"x": 1}');
  writeFileSync(join(dir, 'c.txt'), 'c');
  assert.deepEqual(
    checksumProblems(dir),
    [
      'checksums.json is missing, so no file here can be verified ' +
        '(written last, with every folder this project must trust)',
    ],
    'no checksums.json: unverified, not trusted',
  );
  writeChecksums(dir);
  assert.deepEqual(checksumProblems(dir), []);
  writeFileSync(join(dir, 'a.bin'), Buffer.from([1, 2, 3, 5]));
  writeFileSync(join(dir, 'b.json'), '{"x"');
  spawnSync('rm', [join(dir, 'c.txt')]);
  assert.deepEqual(checksumProblems(dir), [
    'a.bin does not match the sha256 written with it',
    'b.json has 4 bytes, 8 were written',
    'c.txt is missing',
  ]);
  assert.ok(existsSync(join(dir, 'checksums.json')));
});

test('JSON that does not parse is located by line and column, as an editor shows it', () => {
  assert.deepEqual(jsonSyntaxError('{\n  "seed": 1,,\n}'), {
    line: 2,
    column: 13,
    what: 'a property name in double quotes was expected',
  });
  assert.deepEqual(jsonSyntaxError('{\n "a": 1,\n "b": tru\n}'), {
    line: 3,
    column: 7,
    what: 'this is not a JSON value (strings need double quotes; true, false and null are lower case)',
  });
  assert.deepEqual(jsonSyntaxError('{"a": [1,]}'), { line: 1, column: 10, what: 'a value was expected' });
  assert.deepEqual(jsonSyntaxError('{"a": 1} 2'), {
    line: 1,
    column: 10,
    what: 'the text goes on after the JSON value ends',
  });
  assert.equal(jsonSyntaxError('{"a": [1, 2]}'), undefined);
  assert.throws(
    () => parseJsonText('{\n  "seed": 1 // one\n}', 'experiments/x/config.json'),
    /^Error: experiments\/x\/config\.json:2:13: not valid JSON: JSON has no comments$/,
  );
});

test('readJsonFile names the file, what is wrong and what to do', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'state.json'), '{"step": ');
  assert.throws(
    () => readJsonFile(join(dir, 'state.json'), 'delete it and rerun'),
    /state\.json:\d+:\d+: not valid JSON: .*; the file is damaged; delete it and rerun/,
  );
  assert.throws(
    () => readJsonFile(join(dir, 'absent.json'), 'run the data stage'),
    /absent\.json: cannot be read \(ENOENT\); run the data stage/,
  );
});
