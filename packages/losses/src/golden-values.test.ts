// Every loss on one pair whose answer was worked out by hand from the paper's formula.
// The pair: log π(y_w) = −3, log π_ref(y_w) = −4, |y_w| = 2;
//           log π(y_l) = −8, log π_ref(y_l) = −7, |y_l| = 4.
// So r_w = 1, r_l = −1, margin 2; per token r̄_w = 0.5, r̄_l = −0.25, margin 0.75;
// ℓ̄_w = −1.5, ℓ̄_l = −2.
// softplus(x) = log(1 + eˣ) = −log σ(−x): softplus(−1) = 0.3132617, softplus(1) = 1.3132617.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '@spo/engine';
import {
  dpoLoss,
  cdpoLoss,
  robustDpoLoss,
  ipoLoss,
  hingeLoss,
  rdpoLoss,
  simpoLoss,
  orpoLoss,
  cpoLoss,
  ktoLoss,
  ncaLoss,
  bcoLoss,
  exoLoss,
  sppoHardLoss,
  apoZeroLoss,
  apoDownLoss,
  discopopLoss,
  softPreferenceLoss,
  softBestOfNLoss,
  softPlackettLuceLoss,
  chosenNll,
  rewardModelLoss,
  type PairLogProbs,
  type PairLossOutput,
} from './index.js';

await initBackend(undefined, () => {});

const near = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);
const pair = (extra: Partial<PairLogProbs> = {}): PairLogProbs => ({
  policyChosen: tf.tensor1d([-3]),
  referenceChosen: tf.tensor1d([-4]),
  chosenLengths: tf.tensor1d([2]),
  policyRejected: tf.tensor1d([-8]),
  referenceRejected: tf.tensor1d([-7]),
  rejectedLengths: tf.tensor1d([4]),
  ...extra,
});
const loss = (out: PairLossOutput) => out.losses.dataSync()[0];
const rewards = (out: PairLossOutput) => [out.chosenRewards.dataSync()[0], out.rejectedRewards.dataSync()[0]];

test('dpo (Rafailov et al. 2023 Eq. 7): −log σ(β·2) at β = 0.5 is softplus(−1); rewards β·r', () => {
  const out = dpoLoss(pair(), { beta: 0.5 });
  near(loss(out), 0.3132617);
  assert.deepEqual(rewards(out), [0.5, -0.5]);
});

test('cdpo (Mitchell 2023 Eq. 3): 0.9·softplus(−1) + 0.1·softplus(1) at β = 0.5, ε = 0.1', () => {
  near(loss(cdpoLoss(pair(), { beta: 0.5, epsilon: 0.1 })), 0.9 * 0.3132617 + 0.1 * 1.3132617); // 0.4132617
});

test(
  'robust (Chowdhury et al. 2024 Eq. 8): ' + '(0.9·softplus(−1) − 0.1·softplus(1)) / 0.8 at β = 0.5, ε = 0.1',
  () => {
    near(loss(robustDpoLoss(pair(), { beta: 0.5, epsilon: 0.1 })), (0.2819355 - 0.1313262) / 0.8); // 0.1882617
  },
);

test(
  'ipo (Azar et al. 2023 Eq. 17, per-token log-ratios as TRL): ' +
    '(0.75 − 1/(2·0.5))² = 0.0625 on per-token log-ratios',
  () => {
    near(loss(ipoLoss(pair(), { beta: 0.5 })), 0.0625);
  },
);

test(
  'hinge (SLiC, Zhao et al. 2023 Eq. 1 with the reference log-ratio as TRL): ' +
    'max(0, 1 − 0.25·2) = 0.5, and 0 once the margin is met',
  () => {
    near(loss(hingeLoss(pair(), { beta: 0.25 })), 0.5);
    near(loss(hingeLoss(pair(), { beta: 1 })), 0);
  },
);

test(
  'rdpo (Park et al. 2024 Eq. 9; SimPO Table 3): ' +
    '−log σ(βh + α|y_w| − α|y_l|) = softplus(−(0.5·2 + 0.1·(2 − 4))) = softplus(−0.8)',
  () => {
    near(loss(rdpoLoss(pair(), { beta: 0.5, alpha: 0.1 })), 0.3711007); // log(1 + e^−0.8)
    // the length term's sign: with a longer chosen response the same margin gives a smaller loss
    const longerChosen = pair({ chosenLengths: tf.tensor1d([6]) });
    // softplus(−1.2)
    near(loss(rdpoLoss(longerChosen, { beta: 0.5, alpha: 0.1 })), Math.log1p(Math.exp(-(1 + 0.1 * (6 - 4)))));
  },
);

test('simpo (Meng et al. 2024 Eq. 6): −log σ(2·(−1.5) − 2·(−2) − 1) = log 2; rewards β·ℓ̄', () => {
  const out = simpoLoss(pair(), { beta: 2, gamma: 1 });
  near(loss(out), Math.LN2);
  assert.deepEqual(rewards(out), [-3, -4]);
});

test('orpo (Hong et al. 2024 Eqs. 6–7): 1.5 + 0.1·softplus(−(logodds(−1.5) − logodds(−2)))', () => {
  // logodds(ℓ) = ℓ − log(1 − e^ℓ): logodds(−1.5) = −1.5 + 0.2524727 = −1.2475273;
  // logodds(−2) = −2 + 0.1454135 = −1.8545865
  // difference 0.6070592; softplus(−0.6070592) = log(1.5449511) = 0.4349920
  near(loss(orpoLoss(pair(), { lambda: 0.1, nllMean: 'token' })), 1.5 + 0.1 * 0.434992);
  near(loss(orpoLoss(pair(), { lambda: 0.1, nllMean: 'sequence' })), 1.5 + 0.1 * 0.434992);
});

test('cpo (Xu et al. 2024 Eq. 6): softplus(−0.5·(−3 + 8)) + 1·1.5 = softplus(−2.5) + 1.5', () => {
  near(loss(cpoLoss(pair(), { beta: 0.5, alpha: 1, nllMean: 'token' })), 0.0788897 + 1.5);
});

test('NLL term of ORPO and CPO: per token over the batch (TRL) or per sequence', () => {
  // two pairs: ℓ(y_w) = (−3, −2), |y_w| = (2, 4); per sequence (1.5 + 0.5)/2 = 1; per token (3 + 2)/(2 + 4) = 5/6
  const lp = { policyChosen: tf.tensor1d([-3, -2]), chosenLengths: tf.tensor1d([2, 4]) };
  const mean = (t: tf.Tensor) => tf.mean(t).dataSync()[0];
  near(mean(chosenNll(lp, 'sequence')), 1);
  near(mean(chosenNll(lp, 'token')), 5 / 6);
  const two = pair({ ...lp, policyRejected: tf.tensor1d([-8, -4]), rejectedLengths: tf.tensor1d([4, 4]) });
  // CPO at β = 0.5, α = 1: preference terms softplus(−2.5) and softplus(−1)
  near(mean(cpoLoss(two, { beta: 0.5, alpha: 1, nllMean: 'token' }).losses), (0.0788897 + 0.3132617) / 2 + 5 / 6);
  near(mean(cpoLoss(two, { beta: 0.5, alpha: 1, nllMean: 'sequence' }).losses), (0.0788897 + 0.3132617) / 2 + 1);
});

test(
  'kto (Ethayarajh et al. 2024 Eq. 8, paired): z₀ = mean(0.5, −0.1) = 0.2; ' +
    '((1 − σ(0.4)) + (1 − σ(0.6))) / 2; z₀ clamps at 0',
  () => {
    const mismatched = { policyMismatched: tf.tensor1d([-5, -6]), referenceMismatched: tf.tensor1d([-5.5, -5.9]) };
    near(
      loss(ktoLoss(pair(mismatched), { beta: 0.5, desirableWeight: 1, undesirableWeight: 1 })),
      (1 - 0.5986877 + (1 - 0.6456563)) / 2,
    );
    const negative = { policyMismatched: tf.tensor1d([-6]), referenceMismatched: tf.tensor1d([-5]) };
    near(
      loss(ktoLoss(pair(negative), { beta: 0.5, desirableWeight: 2, undesirableWeight: 1 })),
      (2 * (1 - 0.6224593) + (1 - 0.6224593)) / 2,
    );
    assert.throws(() => ktoLoss(pair(), { beta: 0.5, desirableWeight: 1, undesirableWeight: 1 }), /mismatched/);
  },
);

test('nca (Chen et al. 2024 Eq. 13, pairwise): softplus(−0.5) + ½ softplus(0.5) + ½ softplus(−0.5)', () => {
  near(loss(ncaLoss(pair(), { beta: 0.5 })), 1.5 * 0.474077 + 0.5 * 0.974077); // 1.1981540
});

test(
  'bco (Jung et al. 2024 Eq. 7, pairwise): −log σ(r_w − δ) − log σ(−(r_l − δ)); ' +
    'pair 1 r = (0.5, −0.5), pair 2 r = (1.5, 0.5)',
  () => {
    const lp: PairLogProbs = {
      policyChosen: tf.tensor1d([-3, -1]),
      referenceChosen: tf.tensor1d([-4, -4]),
      chosenLengths: tf.tensor1d([2, 2]),
      policyRejected: tf.tensor1d([-8, -2]),
      referenceRejected: tf.tensor1d([-7, -3]),
      rejectedLengths: tf.tensor1d([4, 4]),
    };
    // shift "none" (TRL's bco_pair): δ = 0
    const none = bcoLoss(lp, { beta: 0.5, shift: 'none' }).losses.dataSync();
    near(none[0], 0.474077 + 0.474077); // −log σ(0.5) − log σ(0.5)
    near(none[1], 0.2014133 + 0.974077); // −log σ(1.5) − log σ(−0.5)
    // shift "batch": δ = mean(0.5, 1.5, −0.5, 0.5) = 0.5
    const batch = bcoLoss(lp, { beta: 0.5, shift: 'batch' }).losses.dataSync();
    near(batch[0], Math.LN2 + 0.3132617); // −log σ(0.5 − 0.5) − log σ(−(−0.5 − 0.5))
    near(batch[1], 0.3132617 + Math.LN2); // −log σ(1.5 − 0.5) − log σ(−(0.5 − 0.5))
  },
);

test('exo (Ji et al. 2024 Eq. 12, pairwise): σ(1)(log σ(1) − log 0.9) + σ(−1)(log σ(−1) − log 0.1)', () => {
  near(
    loss(exoLoss(pair(), { beta: 0.5, epsilon: 0.1 })),
    0.7310586 * (-0.3132617 + 0.1053605) + 0.2689414 * (-1.3132617 + 2.3025851),
  ); // 0.1140819
});

test('sppo-hard (Wu et al. 2024 Eq. 4.1, P = 1 for the winner): (1 − 0.5)² + (−1 + 0.5)² at β = 1', () => {
  near(loss(sppoHardLoss(pair(), { beta: 1 })), 0.5);
});

test(
  'apo-zero / apo-down ' +
    "(D'Oosterlinck et al. 2024 Eqs. 5, 6): " +
    '1 − σ(0.5) + σ(−0.5); apo-down: σ(0.5) + 1 − σ(1)',
  () => {
    near(loss(apoZeroLoss(pair(), { beta: 0.5 })), 1 - 0.6224593 + 0.3775407);
    near(loss(apoDownLoss(pair(), { beta: 0.5 })), 0.6224593 + 1 - 0.7310586);
  },
);

test('discopop (Lu et al. 2024 Eq. 5, LRML): softplus(−1)(1 − σ(2)) + e⁻¹ σ(2) at β = 0.5, τ = 0.5', () => {
  near(loss(discopopLoss(pair(), { beta: 0.5, tau: 0.5 })), 0.3132617 * 0.1192029 + 0.3678794 * 0.8807971); // 0.3613690
});

test(
  'soft (Sharifnassab et al. 2024, pairwise softmax over two responses): ' +
    'softplus(−0.5·(−3 + 8)) = softplus(−2.5), reference ignored',
  () => {
    near(loss(softPreferenceLoss(pair(), { alpha: 0.5 })), 0.0788897);
    near(loss(softPreferenceLoss(pair({ referenceChosen: tf.tensor1d([100]) }), { alpha: 0.5 })), 0.0788897);
  },
);

test('soft (Sharifnassab et al. 2024) best-of-n and Plackett-Luce over the list (−1, −2, −3), best first', () => {
  const list = {
    policy: tf.tensor2d([[-1, -2, -3]]),
    reference: tf.zeros([1, 3]) as tf.Tensor2D,
    lengths: tf.ones([1, 3]) as tf.Tensor2D,
  };
  // best-of-n: log(1 + e⁻¹ + e⁻²) = log 1.5032147; PL adds −log(e⁻²/(e⁻² + e⁻³)) = log(1 + e⁻¹)
  near(softBestOfNLoss(list, { alpha: 1 }).losses.dataSync()[0], 0.4076059);
  near(softPlackettLuceLoss(list, { alpha: 1 }).losses.dataSync()[0], 0.4076059 + 0.3132617);
  // α = 2 doubles every score: log(1 + e⁻² + e⁻⁴)
  near(softBestOfNLoss(list, { alpha: 2 }).losses.dataSync()[0], Math.log(1 + Math.exp(-2) + Math.exp(-4)));
});

test('SFT term: −log π(y_w)/|y_w| = 1.5', () => {
  near(chosenNll(pair()).dataSync()[0], 1.5);
});

test(
  'reward model: −log σ(r_w − r_l) = softplus(−1) at r_w = 1.5, r_l = 0.5; ' + 'centring adds c·(r_w + r_l)²',
  () => {
    const chosen = tf.tensor1d([1.5]),
      rejected = tf.tensor1d([0.5]);
    near(rewardModelLoss(chosen, rejected, { centerCoefficient: 0 }).dataSync()[0], 0.3132617);
    near(rewardModelLoss(chosen, rejected, { centerCoefficient: 0.5 }).dataSync()[0], 0.3132617 + 0.5 * 4); // 2.3132617
  },
);
