// The numerics path, part of every stage hash: what a run's numbers are computed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numericsPath } from './context.js';

test('the numerics path: backend, native BLAS, its kernel set, one thread, fused kernels, packed responses', () => {
  const wasm = (blas?: { core: string; threads: number }) =>
    numericsPath({
      name: 'wasm',
      skipped: [],
      matmul: 'native BLAS',
      blas: blas && { library: 'x.so', ...blas },
      packedResponses: false,
    });
  assert.equal(wasm({ core: 'Haswell', threads: 2 }), 'wasm/native-blas-haswell');
  assert.equal(wasm({ core: 'SkylakeX', threads: 1 }), 'wasm/native-blas-skylakex-1thread');
  assert.equal(wasm({ core: '', threads: 4 }), 'wasm/native-blas');
  assert.equal(wasm(undefined), 'wasm/backend-matmul');
  const blas = { library: 'x.so', core: 'Haswell', threads: 2 };
  assert.equal(
    numericsPath({ name: 'wasm', skipped: [], matmul: 'native BLAS', blas, fused: true, packedResponses: false }),
    'wasm/native-blas-haswell-fused',
  );
  assert.equal(
    numericsPath({ name: 'wasm', skipped: [], matmul: 'native BLAS', blas, fused: true, packedResponses: true }),
    'wasm/native-blas-haswell-fused-packed',
  );
  assert.equal(
    numericsPath({ name: 'cpu', skipped: [], matmul: "cpu's own", packedResponses: false }),
    'cpu/backend-matmul',
  );
  assert.equal(
    numericsPath({ name: 'cpu', skipped: [], matmul: "cpu's own", packedResponses: true }),
    'cpu/backend-matmul-packed',
  );
});
