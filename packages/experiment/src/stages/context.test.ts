// The numerics path, part of every stage hash: what a run's numbers are computed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numericsPath } from './context.js';

test('the numerics path names the backend, a native BLAS, and a one-thread BLAS (which rounds differently)', () => {
  const wasm = (matmul: string) => numericsPath({ name: 'wasm', skipped: [], matmul });
  assert.equal(wasm('native BLAS libopenblas.so.0'), 'wasm/native-blas');
  assert.equal(wasm('native BLAS libopenblas.so.0, 1 thread'), 'wasm/native-blas-1thread');
  assert.equal(wasm('XNNPACK (native BLAS not used: no OpenBLAS found)'), 'wasm/backend-matmul');
  assert.equal(numericsPath({ name: 'cpu', skipped: [], matmul: "cpu's own" }), 'cpu/backend-matmul');
});
