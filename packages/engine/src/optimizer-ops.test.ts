// The optimiser's fused kernels against the composed tfjs ops they replace, on the wasm backend: the
// gradient norm, the clipped gradients and AdamW's update must be equal bit for bit, over several
// updates, for matrices (weight decay) and vectors (none), at sizes and magnitudes a step meets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.js';
import { fusedOptimizerOn, withFusedKernels } from './fused-kernels.js';
import { adamWUpdate, gradientNorm, scaleGradients } from './optimizer-ops.js';
import { Rng } from './random.js';

await initBackend('wasm', () => {});
const skip = fusedOptimizerOn() ? false : 'the fused optimiser kernels do not run here';
if (skip) console.error(`[optimizer-ops.test] skipped: ${skip}`);

function bothWays<T>(f: () => T): { fused: T; composed: T } {
  return { fused: withFusedKernels('on', f), composed: withFusedKernels('ops', f) };
}

function assertSame(a: tf.Tensor, b: tf.Tensor, what: string): void {
  const x = a.dataSync(),
    y = b.dataSync();
  for (let i = 0; i < y.length; i++)
    if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i])))
      assert.fail(`${what}[${i}]: fused ${x[i]}, composed ${y[i]}`);
}

const rng = new Rng('optimizer-ops');
/** Values over many magnitudes, with exact zeros: what gradients look like. */
const values = (n: number) =>
  Float32Array.from({ length: n }, () => (rng.next() < 0.05 ? 0 : rng.normal() * 10 ** (rng.int(9) - 6)));
const shapes = [[70, 64], [64], [64, 192], [192], [256, 64], [1]];

test('the gradient norm and the clipped gradients equal the composed ops', { skip }, () => {
  const grads = shapes.map((s) => tf.tensor(values(s.reduce((a, b) => a * b, 1)), s));
  for (const scale of [1, 1 / 3]) {
    const norm = bothWays(() => gradientNorm(grads, scale));
    assert.equal(norm.fused, norm.composed, `norm at scale ${scale}`);
    const clipped = bothWays(() => scaleGradients(grads, scale, 1 / (norm.composed + 1e-6)));
    clipped.composed.forEach((g, i) => assertSame(clipped.fused[i], g, `clipped ${i}`));
    tf.dispose([...clipped.fused, ...clipped.composed]);
  }
  tf.dispose(grads);
});

test('AdamW over five updates equals the composed ops, decay on matrices only', { skip }, () => {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const start = shapes.map((s) => ({ param: tf.tensor(values(size(s)), s), m: tf.zeros(s), v: tf.zeros(s) }));
  const gradients = Array.from({ length: 5 }, () => shapes.map((s) => tf.tensor(values(size(s)), s)));
  const { fused, composed } = bothWays(() => {
    let state = start;
    gradients.forEach((grads, step) => {
      const t = step + 1;
      const next = adamWUpdate(
        state.map((x, i) => ({ ...x, grad: grads[i], decay: shapes[i].length >= 2 })),
        {
          beta1: 0.9,
          beta2: 0.95,
          eps: 1e-8,
          weightDecay: 0.1,
          lr: 3e-4,
          correction1: 1 - 0.9 ** t,
          correction2: 1 - 0.95 ** t,
        },
      );
      state = next;
    });
    return state;
  });
  composed.forEach((x, i) => {
    assertSame(fused[i].param, x.param, `parameter ${i}`);
    assertSame(fused[i].m, x.m, `m ${i}`);
    assertSame(fused[i].v, x.v, `v ${i}`);
  });
  assert.ok(
    fused.every((x, i) => x.param.dataSync().some((p, j) => p !== start[i].param.dataSync()[j])),
    'every parameter moved',
  );
});
