import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, numericGradient } from '@spo/engine';
import { dpoLoss, degreeLoss, parseLossParams, preferenceLoss } from './index.js';

await initBackend(undefined, () => {});

const near = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

test('DPO golden values, worked by hand', () => {
  // β = 0.5; chosen: π −3, ref −4 (reward 0.5); rejected: π −6, ref −5 (reward −0.5); margin 1.
  // loss = −log σ(1) = log(1 + e^−1) = 0.3132617
  const out = dpoLoss({
    policyChosen: tf.tensor1d([-3, -2]), policyRejected: tf.tensor1d([-6, -2]),
    referenceChosen: tf.tensor1d([-4, -2]), referenceRejected: tf.tensor1d([-5, -2]),
  }, { beta: 0.5 });
  const losses = out.losses.dataSync();
  near(losses[0], Math.log(1 + Math.exp(-1)));
  near(losses[1], Math.log(2)); // no margin: −log σ(0)
  near(out.chosenRewards.dataSync()[0], 0.5);
  near(out.rejectedRewards.dataSync()[0], -0.5);
});

test('DPO gradient matches finite differences', () => {
  const x = tf.tensor1d([-3.1, -7.2, -2.5, -6.0, -4.0, -3.3, -5.5, -5.9]); // [πw(2), πl(2), refw(2), refl(2)]
  const f = (t: tf.Tensor) => {
    const [pw, pl, rw, rl] = tf.split(t, 4) as tf.Tensor1D[];
    return tf.sum(dpoLoss({ policyChosen: pw, policyRejected: pl, referenceChosen: rw, referenceRejected: rl }, { beta: 0.3 }).losses) as tf.Scalar;
  };
  const analytic = tf.grad(f)(x).dataSync();
  const numeric = numericGradient(f, x);
  analytic.forEach((g, i) => near(g, numeric[i], 2e-2));
});

test('degree loss golden values and gradient', () => {
  // logits [0, ln 3] with level 1: p = 3/4, loss = −log(3/4); level 0: loss = −log(1/4)
  const logits = tf.tensor2d([[0, Math.log(3)], [0, Math.log(3)]]);
  const out = degreeLoss(logits, tf.tensor1d([1, 0], 'int32'));
  near(out.losses.dataSync()[0], -Math.log(0.75));
  near(out.losses.dataSync()[1], -Math.log(0.25));
  assert.deepEqual(Array.from(out.correct.dataSync()), [1, 0]);
  const z = tf.tensor2d([[0.3, -1.2, 0.8, 0.1], [1.5, 0.2, -0.3, -2.0]]);
  const levels = tf.tensor1d([2, 3], 'int32');
  const f = (t: tf.Tensor) => tf.sum(degreeLoss(t as tf.Tensor2D, levels).losses) as tf.Scalar;
  const analytic = tf.grad(f)(z).dataSync();
  const numeric = numericGradient(f, z);
  analytic.forEach((g, i) => near(g, numeric[i], 2e-2));
});

test('registry: defaults filled, bad settings named, unknown loss lists the known ones', () => {
  assert.deepEqual(parseLossParams('dpo', {}), { beta: 0.1 });
  assert.throws(() => parseLossParams('dpo', { beta: -1 }, 'methods[0].params'), /methods\[0\]\.params\.beta/);
  assert.throws(() => parseLossParams('dpo', { betta: 1 }), /betta|unrecognized/i);
  assert.throws(() => preferenceLoss('dpp'), /known losses: dpo/);
});
