// SPO's degree losses: golden values worked by hand (softplus(1) = 1.3132617, log(1 + e⁻¹ + e⁻²) =
// 0.4076059) and gradients against central finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, numericGradient } from '@spo/engine';
import { degreeLoss, degreeRankLoss } from './index.js';

await initBackend(undefined, () => {});

const near = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

function assertGradientMatches(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, label: string): void {
  const analytic = tf.grad(f)(x).dataSync();
  const numeric = numericGradient(f, x);
  analytic.forEach((g, i) => near(g, numeric[i], 2e-2));
  assert.ok(
    analytic.some((g) => Math.abs(g) > 1e-4),
    `${label}: gradient is zero everywhere`,
  );
}

test('degree loss (linear head): cross-entropy of the true level; prediction is the arg-max', () => {
  // logits [0, ln 3]: p = (1/4, 3/4)
  const out = degreeLoss(
    tf.tensor2d([
      [0, Math.log(3)],
      [0, Math.log(3)],
    ]),
    tf.tensor1d([1, 0], 'int32'),
  );
  near(out.losses.dataSync()[0], -Math.log(0.75));
  near(out.losses.dataSync()[1], -Math.log(0.25));
  assert.deepEqual(Array.from(out.predicted.dataSync()), [1, 1]);
});

test("degree loss (logprob-rank): Plackett-Luce over the level order; prediction is each variant's rank", () => {
  const out = degreeRankLoss(
    tf.tensor2d([
      [-1, -2, -3],
      [-1, -3, -2],
    ]),
  );
  near(out.losses.dataSync()[0], 0.4076059 + 0.3132617);
  // second group: −log(e⁻¹/(e⁻¹+e⁻³+e⁻²)) − log(e⁻³/(e⁻³+e⁻²))
  //   = log(1 + e⁻² + e⁻¹) + log(1 + e)
  near(out.losses.dataSync()[1], 0.4076059 + 1.3132617);
  assert.deepEqual(Array.from(out.predicted.dataSync()), [0, 1, 2, 0, 2, 1]);
});

test('degree losses: gradients match finite differences', () => {
  const z = tf.tensor2d([
    [0.3, -1.2, 0.8, 0.1],
    [1.5, 0.2, -0.3, -2.0],
  ]);
  const levels = tf.tensor1d([2, 3], 'int32');
  assertGradientMatches((t) => tf.sum(degreeLoss(t as tf.Tensor2D, levels).losses) as tf.Scalar, z, 'linear');
  assertGradientMatches((t) => tf.sum(degreeRankLoss(t as tf.Tensor2D).losses) as tf.Scalar, z, 'logprob-rank');
});
