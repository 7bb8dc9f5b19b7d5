// tools/numerics-path.cjs prints what Nx hashes as every training target's runtime input: a run on another
// numerics path must never be served from the cache of this one, so each setting that changes the
// numbers must change the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, 'numerics-path.cjs');

function numericsLine(env: Record<string, string | undefined>): string {
  const base = { ...process.env };
  for (const name of ['SPO_BACKEND', 'SPO_FUSED', 'SPO_PACKED_RESPONSES', 'OPENBLAS_NUM_THREADS']) delete base[name];
  return execFileSync(process.execPath, [script], { env: { ...base, ...env }, encoding: 'utf8' }).trim();
}

test('packed responses: on unless $SPO_PACKED_RESPONSES is "off", as the engine reads it', () => {
  const unset = numericsLine({});
  assert.match(unset, / packed-responses=on$/);
  assert.equal(numericsLine({ SPO_PACKED_RESPONSES: '' }), unset);
  assert.equal(numericsLine({ SPO_PACKED_RESPONSES: 'on' }), unset);
  const off = numericsLine({ SPO_PACKED_RESPONSES: 'off' });
  assert.match(off, / packed-responses=off$/);
  assert.equal(off.replace('packed-responses=off', 'packed-responses=on'), unset);
});

test('the backend, the fused kernels and one BLAS thread each change the line', () => {
  const unset = numericsLine({});
  assert.match(
    unset,
    /^backend=auto addon=(built|absent) blas=\S+( blas-threads=1)? coretype=\S+ cpu=".*" fused=default kernels=/,
  );
  for (const env of [{ SPO_BACKEND: 'cpu' }, { SPO_FUSED: 'off' }])
    assert.notEqual(numericsLine(env), unset, JSON.stringify(env));
  assert.notEqual(numericsLine({ OPENBLAS_NUM_THREADS: '1' }), numericsLine({ OPENBLAS_NUM_THREADS: '4' }));
});
