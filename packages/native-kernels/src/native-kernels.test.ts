// The fused kernels on a plain ArrayBuffer standing in for the WASM heap: hand-computed values, and
// operands outside the buffer refused before anything is written. packages/engine/src/backends.test.ts
// checks every kernel, values and gradients, against the composed tfjs ops on the cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

test('AdamW, one update by hand: moments, bias correction, decay on the flagged parameter only', { skip }, () => {
  if (!status.available) return;
  // p = 1, g = 0.5, m = v = 0, β1 0.9, β2 0.99, t = 1 (c1 0.1, c2 0.01), ε 0, wd 0.1, lr 0.01:
  // m' = 0.05, v' = 0.0025, update = (0.05/0.1) / sqrt(0.0025/0.01) = 0.5 / 0.5 = 1, + 0.1·1 with decay
  const { heap, f } = heapWith([1, 0.5, 0, 0, 1, 0.5, 0, 0], 32);
  // [p, g, m, v, p', m', v', size, decay] for two one-element parameters, results at floats 8-13
  const spec = [0, 4, 8, 12, 32, 36, 40, 1, 1, 16, 20, 24, 28, 44, 48, 52, 1, 0];
  status.kernels.adamW(heap, Float64Array.from(spec), 0.9, 0.99, 0.1, 0.01, 0, 0.1, 0.01);
  const near = (x: number, want: number, what: string) =>
    assert.ok(Math.abs(x - want) < 1e-6, `${what} ${x} ≠ ${want}`);
  near(f[9], 0.05, 'm');
  near(f[10], 0.0025, 'v');
  near(f[8], 1 - 0.01 * 1.1, 'p with decay');
  near(f[11], 1 - 0.01, 'p without decay');
  near(f[12], 0.05, 'm of the second');
});

test('the gradient norm and the clipped gradients: Σ (g·scale)² over every tensor, (g·a)·b', { skip }, () => {
  if (!status.available) return;
  const { heap, f } = heapWith([3, 4, 12, 0, 0, 0]);
  // tensors [3, 4] and [12] at scale 0.5: 2.25 + 4 + 36
  assert.equal(status.kernels.sumOfSquares(heap, Float64Array.from([0, 2, 8, 1]), 0.5), 42.25);
  status.kernels.scaleTwice(heap, Float64Array.from([0, 12, 2, 8, 20, 1]), 0.5, 2);
  assert.deepEqual([...f.subarray(3, 6)], [3, 4, 12]);
});

test('a GPT-2 block refuses a shape that is not one, and operands outside the heap', { skip }, () => {
  if (!status.available) return;
  const heap = new ArrayBuffer(4096);
  const shape = [1, 2, 6, 4, 0, 1, 1e-5, 0.5]; // 6 is not a multiple of 4 heads
  const args = (s: number[]) => Float64Array.from([...s, ...Array(12).fill(0), 0, 0, -1, -1, 0, -1, -1, -1]);
  assert.throws(() => status.kernels.gpt2BlockForward(heap, args(shape)), /not a block's shape/);
  const fits = [1, 2, 8, 4, 0, 1, 1e-5, 0.5];
  const far = Float64Array.from([...fits, ...Array(12).fill(1 << 20), 0, 0, -1, -1, 0, -1, -1, -1]);
  assert.throws(() => status.kernels.gpt2BlockForward(heap, far), /(lies outside the heap|no BLAS)/);
  assert.throws(() => status.kernels.gpt2BlockForward(heap, Float64Array.from([1, 2])), /Float64Array of 28/);
});

/** Every elementwise kernel once on a seeded heap; the heap's bytes afterwards, as hex. */
function everyKernel(): string {
  if (!status.available) return '';
  const k = status.kernels;
  const rows = 37,
    d = 45,
    n = rows * d,
    vocab = 29;
  const floats = 12 * n + 4 * d;
  const heap = new ArrayBuffer(floats * 4);
  const f = new Float32Array(heap);
  let seed = 12345;
  for (let i = 0; i < floats; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    f[i] = (seed / 2 ** 31 - 0.5) * (i % 7 === 0 ? 60 : 4);
  }
  for (let i = 0; i < rows; i++) f[3 * n + i] = 0.5 + (i % 5) / 10; // a positive 1/σ per row
  const i32 = new Int32Array(heap);
  for (let i = 0; i < rows; i++) i32[11 * n + i] = (i * 7) % vocab; // token targets
  const at = (x: number) => 4 * x;
  k.norm(heap, 0, at(n), at(n + d), at(4 * n), at(5 * n), at(6 * n), rows, d, 1e-5, 1);
  k.normGrad(heap, at(n), at(2 * n), at(3 * n), at(n), at(7 * n), at(6 * n + 2 * d), at(6 * n + 3 * d), rows, d, 1);
  k.gelu(heap, 0, at(8 * n), n);
  k.geluGrad(heap, 0, at(n), at(9 * n), n);
  k.swigluGrad(heap, 0, at(n), at(2 * n), at(10 * n), at(8 * n), n);
  k.maskedSoftmax(heap, at(2 * n), -1, at(9 * n), 1, 1, rows, d, 0.7, 1);
  k.softmaxGrad(heap, at(9 * n), at(n), at(10 * n), rows, d, 0.7);
  k.tokenLogProbs(heap, 0, at(11 * n), at(11 * n + rows), at(11 * n + 2 * rows), rows, vocab);
  k.tokenLogProbsGrad(heap, 0, at(11 * n), at(11 * n + 2 * rows), at(n), at(7 * n), rows, vocab);
  return Buffer.from(heap).toString('hex');
}

test('the AVX2 and the portable builds of the kernels compute the same bits', { skip }, () => {
  if (process.env.SPO_KERNELS_PORTABLE) return; // the child below
  const here = everyKernel();
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, SPO_KERNELS_PORTABLE: '1', SPO_KERNELS_PRINT: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const printed = /^kernels:([0-9a-f]+)$/m.exec(child.stdout)?.[1];
  assert.ok(printed, `the portable child printed nothing: ${child.stderr.slice(-500)}`);
  assert.ok(printed === here, 'the 4-lane build differs from the build this processor runs');
});

if (process.env.SPO_KERNELS_PRINT) console.log(`kernels:${everyKernel()}`);
