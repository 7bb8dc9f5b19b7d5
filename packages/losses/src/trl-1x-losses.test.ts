// The losses TRL 1.x added, on a batch of three pairs, against values computed in plain Python from TRL's
// formulas and the papers (tools/fixtures/trl-1x-losses.py prints them), not by running this code.
// The batch, with β = 0.5 and label smoothing ε = 0.1:
//   log π(y_w) = (−3, −5, −2), log π_ref(y_w) = (−4, −4.5, −2.5), |y_w| = (2, 5, 1)
//   log π(y_l) = (−8, −6, −3), log π_ref(y_l) = (−7, −6.5, −2),   |y_l| = (4, 3, 2)
// so u_w = (1, −0.5, 0.5) and u_l = (−1, 0.5, −1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '@spo/engine';
import {
  PREFERENCE_LOSSES,
  dpoLoss,
  lengthDesensitised,
  parseLossParams,
  wpoWeights,
  type PairLogProbs,
} from './index.js';

await initBackend(undefined, () => {});

const batch = (): PairLogProbs => ({
  policyChosen: tf.tensor1d([-3, -5, -2]),
  referenceChosen: tf.tensor1d([-4, -4.5, -2.5]),
  chosenLengths: tf.tensor1d([2, 5, 1]),
  policyRejected: tf.tensor1d([-8, -6, -3]),
  referenceRejected: tf.tensor1d([-7, -6.5, -2]),
  rejectedLengths: tf.tensor1d([4, 3, 2]),
});

function assertLosses(name: keyof typeof PREFERENCE_LOSSES, params: object, expected: number[]): void {
  const spec = PREFERENCE_LOSSES[name];
  assert.equal(spec.input, 'pairs');
  const got = spec.input === 'pairs' ? spec.fn(batch(), parseLossParams(name, params) as never).losses.dataSync() : [];
  expected.forEach((e, i) =>
    assert.ok(Math.abs(got[i] - e) <= 2e-6 * (1 + Math.abs(e)), `${name} [${i}]: ${got[i]} vs ${e}`),
  );
}

test('sigmoid-norm: DPO on per-token log-ratios, −log σ(β (u_w/|y_w| − u_l/|y_l|))', () => {
  assertLosses('sigmoid-norm', { beta: 0.5 }, [0.5231233, 0.7620344, 0.474077]);
});

test('aot (Melnyk et al. 2024, paired): sorted policy log-ratio margins against sorted reference ones', () => {
  // policy margins (5, 1, 1) sort to (1, 1, 5); reference (3, 2, −0.5) to (−0.5, 2, 3): δ = (1.5, −1, 2)
  assertLosses('aot', { beta: 0.5, epsilon: 0.1 }, [0.461871, 0.924077, 0.4132617]);
});

test('aot-unpaired: sorted chosen log-ratios against sorted rejected ones', () => {
  // u_w sorts to (−0.5, 0.5, 1), u_l to (−1, −1, 0.5): δ = (0.5, 1.5, 0.5)
  assertLosses('aot-unpaired', { beta: 0.5, epsilon: 0.1 }, [0.6009394, 0.461871, 0.6009394]);
});

test('aot couples the batch: pair 2 falling to the lowest margin changes the loss at rank 0', () => {
  const spec = PREFERENCE_LOSSES.aot;
  const lp = batch();
  const before = spec.fn(lp, { beta: 0.5, epsilon: 0 }).losses.dataSync();
  const after = spec
    .fn({ ...lp, policyChosen: tf.tensor1d([-3, -5, -10]) }, { beta: 0.5, epsilon: 0 })
    .losses.dataSync();
  assert.notEqual(before[0], after[0]);
});

// Wang et al. 2023's f-divergences on four losses; each row: dpo, hinge, bco, ipo, per pair.
const DIVERGENCE_GOLDEN: [object, Record<'dpo' | 'hinge' | 'bco' | 'ipo', number[]>][] = [
  [
    {},
    {
      dpo: [0.3132617, 0.974077, 0.386871],
      hinge: [0, 1.5, 0.25],
      bco: [0.948154, 1.6518788, 1.0500164],
      ipo: [0.0625, 1.6044444, 0],
    },
  ],
  [
    { divergence: 'forward-kl' },
    {
      dpo: [0.2690777, 0.9872602, 0.2985387],
      hinge: [0, 1.5210953, 0],
      bco: [0.9006889, 1.6647663, 0.9527469],
      ipo: [0.1040096, 1.5842985, 0.00178],
    },
  ],
  [
    { divergence: 'js' },
    {
      dpo: [0.474077, 0.8259394, 0.5051987],
      hinge: [0.5, 1.25, 0.5804076],
      bco: [1.1527665, 1.5152576, 1.1899663],
      ipo: [0.4200823, 1.2794202, 0.25],
    },
  ],
  [
    { divergence: 'alpha' },
    {
      dpo: [0.3020887, 0.9773323, 0.3499417],
      hinge: [0, 1.5052246, 0.1300795],
      bco: [0.9361353, 1.6550605, 1.0091454],
      ipo: [0.0848584, 1.5937885, 0.0001092],
    },
  ],
  [
    { divergence: 'alpha', divergenceAlpha: 0.3 },
    {
      dpo: [0.3092316, 0.9752458, 0.3663972],
      hinge: [0, 1.5018771, 0.1847486],
      bco: [0.9438178, 1.6530212, 1.0273021],
      ipo: [0.0762198, 1.5979076, 0.0000141],
    },
  ],
];

for (const [divergence, expected] of DIVERGENCE_GOLDEN) {
  test(`f-divergence ${JSON.stringify(divergence)} (Wang et al. 2023, Table 1) on dpo, hinge, bco and ipo`, () => {
    for (const [name, values] of Object.entries(expected))
      assertLosses(name as 'dpo', { beta: 0.5, ...divergence }, values);
  });
}

test('the α-divergence tends to reverse KL as α → 0 and equals forward KL at α = 1', () => {
  const dpo = (p: object) => PREFERENCE_LOSSES.dpo.fn(batch(), parseLossParams('dpo', p) as never).losses.dataSync();
  const [reverse, forward] = [dpo({ beta: 0.5 }), dpo({ beta: 0.5, divergence: 'forward-kl' })];
  const nearZero = dpo({ beta: 0.5, divergence: 'alpha', divergenceAlpha: 1e-4 });
  const one = dpo({ beta: 0.5, divergence: 'alpha', divergenceAlpha: 1 });
  reverse.forEach((r, i) => assert.ok(Math.abs(nearZero[i] - r) < 1e-3, `${nearZero[i]} vs ${r}`));
  forward.forEach((f, i) => assert.ok(Math.abs(one[i] - f) < 1e-6, `${one[i]} vs ${f}`));
});

test('a far-off log-ratio stays finite under forward KL and α (the exponent is capped)', () => {
  const lp = { ...batch(), policyChosen: tf.tensor1d([-300, -5, -2]) };
  for (const p of [{ divergence: 'forward-kl' }, { divergence: 'alpha', divergenceAlpha: 1 }]) {
    const losses = PREFERENCE_LOSSES.dpo.fn(lp, parseLossParams('dpo', { beta: 0.5, ...p }) as never).losses;
    assert.ok([...losses.dataSync()].every(Number.isFinite), JSON.stringify(p));
  }
});

test('divergence settings are validated with the field named', () => {
  assert.throws(() => parseLossParams('dpo', { divergence: 'kl' }), /params\.divergence/);
  assert.throws(
    () => parseLossParams('dpo', { divergenceAlpha: 0.5 }),
    /params\.divergenceAlpha: .*only with divergence "alpha"/,
  );
  assert.throws(() => parseLossParams('dpo', { divergence: 'alpha', divergenceAlpha: 1.5 }), /at most 1/);
  assert.throws(() => parseLossParams('simpo', { divergence: 'js' }), /params: .*divergence/);
});

test('LD-DPO (Liu et al. 2024): the longer response’s tail damped by α, policy and reference alike, by hand', () => {
  // per-token log-probs: y_w (3 tokens) policy (−1, −2, −0.5), reference (−1.2, −1.8, −0.7);
  // y_l (5 tokens) policy (−1.5, −1, −3, −2, −1), reference (−1.4, −1.2, −2.5, −2.2, −0.9); l_p = 3
  const ld = (sum: number, prefix: number, alpha: number) =>
    lengthDesensitised(tf.tensor1d([sum]), tf.tensor1d([prefix]), alpha);
  const dpoAt = (alpha: number) =>
    dpoLoss(
      {
        policyChosen: ld(-3.5, -3.5, alpha),
        referenceChosen: ld(-3.7, -3.7, alpha),
        policyRejected: ld(-8.5, -5.5, alpha),
        referenceRejected: ld(-8.2, -5.1, alpha),
        chosenLengths: tf.tensor1d([3]),
        rejectedLengths: tf.tensor1d([5]),
      },
      { beta: 0.5 },
    ).losses.dataSync()[0];
  // α = 0.5: log π̂(y_l) = −5.5 + 0.5·(−3) = −7, reference −5.1 + 0.5·(−3.1) = −6.65; margin 0.2 + 0.35 = 0.55
  assert.ok(Math.abs(dpoAt(0.5) - 0.5650707) < 1e-6);
  assert.ok(Math.abs(dpoAt(0) - 0.5543552) < 1e-6); // margin 0.2 + 0.4: equal lengths only
  assert.ok(Math.abs(dpoAt(1) - 0.5759394) < 1e-6); // margin 0.2 + 0.3: plain DPO
});

test('WPO (Zhou et al. 2024, Eq. 2): pair weight exp(ā_w + ā_l), clamped at 1 and constant to the gradient', () => {
  const w = wpoWeights(tf.tensor1d([-0.2, 0.4]), tf.tensor1d([-0.5, 0.3]));
  assert.ok(Math.abs(w.dataSync()[0] - Math.exp(-0.7)) < 1e-6);
  assert.equal(w.dataSync()[1], 1);
  const g = tf.grad((a: tf.Tensor) => tf.sum(wpoWeights(a as tf.Tensor1D, tf.tensor1d([-0.5, 0.3]))))(
    tf.tensor1d([-0.2, 0.4]),
  );
  assert.deepEqual([...g.dataSync()], [0, 0]);
});
