// The fused kernels on a plain ArrayBuffer standing in for the WASM heap: hand-computed values, and
// operands outside the buffer refused before anything is written. packages/engine/src/backends.test.ts
// checks every kernel, values and gradients, against the composed tfjs ops on the cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNativeKernels } from './index.js';

const status = loadNativeKernels();
const skip = status.available ? false : `fused kernels unavailable: ${status.reason}`;
if (skip) console.error(`[native-kernels.test] skipped: ${skip}`);

/** A heap with `values` at float offset 0 and room after; returns it and a float view. */
function heapWith(values: number[], floats = 64): { heap: ArrayBuffer; f: Float32Array } {
  const heap = new ArrayBuffer(floats * 4);
  const f = new Float32Array(heap);
  f.set(values);
  return { heap, f };
}

test('LayerNorm of [1, 2, 3, 4] with gain 2 and bias 1, by hand', { skip }, () => {
  if (!status.available) return;
  // mean 2.5, variance 1.25, r = 1/sqrt(1.25) (eps 0); x̂ = (−1.5, −0.5, 0.5, 1.5)·r
  const { heap, f } = heapWith([1, 2, 3, 4, 2, 2, 2, 2, 1, 1, 1, 1]);
  status.kernels.norm(heap, 0, 16, 32, 48, 64, 80, 1, 4, 0, 1);
  const r = 1 / Math.sqrt(1.25);
  const want = [-1.5, -0.5, 0.5, 1.5].map((u) => 2 * u * r + 1);
  want.forEach((w, i) => assert.ok(Math.abs(f[12 + i] - w) < 1e-6, `y[${i}] ${f[12 + i]} ≠ ${w}`));
  assert.ok(Math.abs(f[20] - r) < 1e-6);
});

test('masked softmax of one row: a masked key gets 0, the rest softmax(scale · s)', { skip }, () => {
  if (!status.available) return;
  const { heap, f } = heapWith([1, 2, 3, 0, 0, -1e9]);
  status.kernels.maskedSoftmax(heap, 0, 12, 32, 1, 1, 1, 3, 0.5, 1);
  const e = [Math.exp(0.5), Math.exp(1)];
  assert.ok(Math.abs(f[8] - e[0] / (e[0] + e[1])) < 1e-6);
  assert.ok(Math.abs(f[9] - e[1] / (e[0] + e[1])) < 1e-6);
  assert.equal(f[10], 0);
});

test('token log-probs: log-softmax at the target, and its gradient onehot − softmax', { skip }, () => {
  if (!status.available) return;
  const { heap, f } = heapWith([0, Math.log(3)]); // softmax (1/4, 3/4)
  new Int32Array(heap, 8, 1)[0] = 1;
  status.kernels.tokenLogProbs(heap, 0, 8, 12, 16, 1, 2);
  assert.ok(Math.abs(f[3] - Math.log(0.75)) < 1e-6, `log p ${f[3]}`);
  assert.ok(Math.abs(f[4] - Math.log(4)) < 1e-6, `lse ${f[4]}`);
  f[5] = 2; // dy
  status.kernels.tokenLogProbsGrad(heap, 0, 8, 16, 20, 24, 1, 2);
  assert.ok(Math.abs(f[6] - 2 * -0.25) < 1e-6 && Math.abs(f[7] - 2 * 0.25) < 1e-6, `dlogits ${f[6]}, ${f[7]}`);
});

test('an operand outside the heap is refused and nothing is written', { skip }, () => {
  if (!status.available) return;
  const { heap, f } = heapWith([], 16);
  f.fill(7);
  assert.throws(() => status.kernels.gelu(heap, 0, 32, 16), /y lies outside the heap/);
  assert.throws(() => status.kernels.norm(heap, 0, 0, -1, 0, 0, 60, 4, 4, 1e-5, 1), /rstd lies outside the heap/);
  assert.throws(() => status.kernels.gelu(heap, 2, 0, 1), /x lies outside the heap/);
  assert.ok(f.every((x) => x === 7));
  const targets = heapWith([0, 0], 8);
  new Int32Array(targets.heap, 8, 1)[0] = 5;
  assert.throws(() => status.kernels.tokenLogProbs(targets.heap, 0, 8, 12, 16, 1, 2), /outside the vocabulary/);
});
