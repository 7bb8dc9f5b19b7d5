// KTO, Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic Optimization", Eq. 8, with
// the chosen response as the desirable example and the rejected one as the undesirable example:
//   L_D = λ_D (1 − σ(β (r(y_w) − z₀))),   L_U = λ_U (1 − σ(β (z₀ − r(y_l)))),
//   r(y) = log π(y|x) − log π_ref(y|x)
//   z₀ = max(0, mean over mismatched pairs (x_i, y_j) of r), held constant (no gradient), as in TRL.
// The per-pair loss is (L_D + L_U) / 2, so its mean is the mean over all 2B examples.
import { tf, stopGradient } from '@spo/engine';
import { z } from 'zod';
import { beta, implicitRewards } from './dpo.js';
import { logRatios } from './log-ratios.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export const KtoParamsSchema = z
  .object({
    beta: beta(0.1),
    /** λ_D, λ_U: weights of desirable and undesirable examples (the paper balances them by class counts). */
    desirableWeight: z.number().positive().default(1.0),
    undesirableWeight: z.number().positive().default(1.0),
  })
  .strict();
export type KtoParams = z.infer<typeof KtoParamsSchema>;

/** z₀: KTO's reference point, the clamped in-batch KL estimate from mismatched pairs. */
export function ktoReferencePoint(lp: PairLogProbs): tf.Scalar {
  if (!lp.policyMismatched || !lp.referenceMismatched)
    throw new Error('kto needs the log-probs of mismatched pairs (policyMismatched, referenceMismatched)');
  return tf.relu(tf.mean(stopGradient(tf.sub(lp.policyMismatched, lp.referenceMismatched)))) as tf.Scalar;
}

export function ktoLoss(lp: PairLogProbs, p: KtoParams): PairLossOutput {
  const r = logRatios(lp);
  const z0 = ktoReferencePoint(lp);
  const desirable = tf.mul(tf.sub(1, tf.sigmoid(tf.mul(tf.sub(r.chosen, z0), p.beta))), p.desirableWeight);
  const undesirable = tf.mul(tf.sub(1, tf.sigmoid(tf.mul(tf.sub(z0, r.rejected), p.beta))), p.undesirableWeight);
  return { losses: tf.div(tf.add(desirable, undesirable), 2) as tf.Tensor1D, ...implicitRewards(lp, p.beta) };
}
