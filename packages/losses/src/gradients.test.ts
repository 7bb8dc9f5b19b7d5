// Every registered loss's gradient against central finite differences, on a batch of two pairs
// (or two ranked lists of three). Lengths and KTO's mismatched log-probs are held fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, numericGradient } from '@spo/engine';
import {
  PREFERENCE_LOSSES,
  PREFERENCE_LOSS_NAMES,
  bcoLossWithShift,
  chosenNll,
  rewardModelLoss,
  type PairLogProbs,
} from './index.js';

await initBackend(undefined, () => {});

const near = (a: number, b: number, tol: number) =>
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

// [π_w (2), π_l (2), π_ref_w (2), π_ref_l (2)]: sequence log-probs of plausible size
const pairInput = tf.tensor1d([-3.1, -7.2, -4.5, -6.0, -4.0, -6.8, -5.5, -5.9]);
const asPairs = (t: tf.Tensor): PairLogProbs => {
  const [policyChosen, policyRejected, referenceChosen, referenceRejected] = tf.split(t, 4) as tf.Tensor1D[];
  return {
    policyChosen,
    policyRejected,
    referenceChosen,
    referenceRejected,
    chosenLengths: tf.tensor1d([3, 5]),
    rejectedLengths: tf.tensor1d([4, 2]),
    policyMismatched: tf.tensor1d([-5, -4]),
    referenceMismatched: tf.tensor1d([-5.5, -4.2]),
  };
};

for (const name of PREFERENCE_LOSS_NAMES) {
  test(`${name}: gradient matches finite differences`, () => {
    const spec = PREFERENCE_LOSSES[name];
    const params = spec.params.parse({});
    if (spec.input === 'pairs') {
      // BCO's reward shift δ is a constant to the gradient: differentiate at δ fixed
      const fn =
        name === 'bco'
          ? (lp: PairLogProbs) => bcoLossWithShift(lp, (params as { beta: number }).beta, tf.scalar(0.05))
          : (lp: PairLogProbs) => spec.fn(lp, params as never);
      assertGradientMatches((t) => tf.sum(fn(asPairs(t)).losses) as tf.Scalar, pairInput, name);
    } else {
      const lists = tf.tensor2d([
        [-3.1, -4.2, -6.0],
        [-5.5, -2.9, -7.3],
      ]);
      const f = (t: tf.Tensor) =>
        tf.sum(
          spec.fn(
            {
              policy: t as tf.Tensor2D,
              reference: tf.zerosLike(t) as tf.Tensor2D,
              lengths: tf.onesLike(t) as tf.Tensor2D,
            },
            params as never,
          ).losses,
        ) as tf.Scalar;
      assertGradientMatches(f, lists, name);
    }
  });
}

// Every f-divergence (divergence.ts) on every loss that takes one
const DIVERGENCE_SETTINGS = [
  { divergence: 'forward-kl' },
  { divergence: 'js' },
  { divergence: 'alpha', divergenceAlpha: 0.3 },
] as const;
for (const name of PREFERENCE_LOSS_NAMES) {
  const spec = PREFERENCE_LOSSES[name];
  if (spec.input !== 'pairs' || !spec.params.safeParse({ divergence: 'js' }).success) continue;
  test(`${name}: gradient matches finite differences under forward KL, JS and α = 0.3`, () => {
    for (const divergence of DIVERGENCE_SETTINGS) {
      const params = spec.params.parse(divergence);
      const fn =
        name === 'bco'
          ? (lp: PairLogProbs) => bcoLossWithShift(lp, (params as { beta: number }).beta, tf.scalar(0.05), divergence)
          : (lp: PairLogProbs) => spec.fn(lp, params as never);
      assertGradientMatches(
        (t) => tf.sum(fn(asPairs(t)).losses) as tf.Scalar,
        pairInput,
        `${name} ${divergence.divergence}`,
      );
    }
  });
}

test('SFT term: gradient matches finite differences', () => {
  assertGradientMatches(
    (t) => tf.sum(chosenNll({ policyChosen: t as tf.Tensor1D, chosenLengths: tf.tensor1d([3, 5]) })) as tf.Scalar,
    tf.tensor1d([-3.1, -7.2]),
    'sft',
  );
});

test('reward-model loss: gradient matches finite differences, with and without centring', () => {
  const rewards = tf.tensor1d([0.4, -1.1, 0.9, 0.2]); // [r_w (2), r_l (2)]
  for (const centerCoefficient of [0, 0.01]) {
    assertGradientMatches(
      (t) => {
        const [chosen, rejected] = tf.split(t, 2) as tf.Tensor1D[];
        return tf.sum(rewardModelLoss(chosen, rejected, { centerCoefficient })) as tf.Scalar;
      },
      rewards,
      `rm c=${centerCoefficient}`,
    );
  }
});
