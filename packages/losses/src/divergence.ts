// f-divergence DPO, Wang et al. 2023, "Beyond Reverse KL: Generalizing Direct Preference Optimization with
// Diverse Divergence Constraints", Theorem 1 and Table 1: under an f-divergence constraint the implicit
// reward of a response is β f′(π(y|x) / π_ref(y|x)), so each log-ratio u = log π − log π_ref becomes
//   g(u) = f′(eᵘ) − f′(1)    (shifted so that a response the policy leaves unchanged scores 0)
//   reverse-kl  f(x) = x log x                          g(u) = u                (DPO's own)
//   forward-kl  f(x) = −log x                           g(u) = 1 − e^{−u}
//   js          f(x) = x log x − (x + 1) log((x + 1)/2)  g(u) = log 2 + log σ(u)
//   alpha       f(x) = (x^{1−α} − (1 − α)x − α) / (α(α − 1)),  0 < α ≤ 1:   g(u) = (1 − e^{−αu}) / α
// α → 0 is reverse KL and α = 1 forward KL; α is TRL's f_alpha_divergence_coef. Losses of the margin
// g(u_w) − g(u_l) (dpo, ipo, hinge, ...) are exactly TRL's, where the shift cancels; it matters only
// for losses of one response's reward (nca, bco, apo, sppo-hard), whose anchors it keeps at u = 0.
// Exponents are capped at 80 (e⁸⁰ is finite in float32), as TRL caps them, so a far-off ratio cannot overflow.
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';

export const DIVERGENCES = ['reverse-kl', 'forward-kl', 'js', 'alpha'] as const;
export type Divergence = (typeof DIVERGENCES)[number];

/** The settings every loss built from policy/reference log-ratios takes; absent means reverse KL. */
export const divergenceParams = {
  /** Which f-divergence keeps the policy near the reference (Wang et al. 2023); absent: reverse KL. */
  divergence: z.enum(DIVERGENCES).optional(),
  /** α of the α-divergence, in (0, 1] (only with divergence "alpha"; absent: 0.5). */
  divergenceAlpha: z.number().gt(0, 'must be above 0 (α → 0 is reverse KL)').max(1, 'must be at most 1').optional(),
};
export interface DivergenceParams {
  divergence?: Divergence;
  divergenceAlpha?: number;
}
/** α of the α-divergence when divergenceAlpha is absent. */
export const DEFAULT_DIVERGENCE_ALPHA = 0.5;

/** A loss schema with the divergence settings added, and divergenceAlpha refused without divergence "alpha". */
export function withDivergence<S extends z.ZodRawShape>(shape: S) {
  return z
    .object({ ...shape, ...divergenceParams })
    .strict()
    .refine(
      (p) => (p as DivergenceParams).divergenceAlpha === undefined || (p as DivergenceParams).divergence === 'alpha',
      {
        message: 'divergenceAlpha applies only with divergence "alpha"',
        path: ['divergenceAlpha'],
      },
    );
}

const EXPONENT_CAP = 80;
const cappedExp = (x: tf.Tensor) => tf.exp(tf.minimum(x, EXPONENT_CAP));

/** g(u) of the divergence: the log-ratio u as the reward it contributes (reverse KL: u itself). */
export function divergenceReward(u: tf.Tensor1D, p: DivergenceParams): tf.Tensor1D {
  switch (p.divergence ?? 'reverse-kl') {
    case 'reverse-kl':
      return u;
    case 'forward-kl':
      return tf.sub(1, cappedExp(tf.neg(u))) as tf.Tensor1D;
    case 'js':
      return tf.add(logSigmoid(u), Math.LN2) as tf.Tensor1D;
    case 'alpha': {
      const alpha = p.divergenceAlpha ?? DEFAULT_DIVERGENCE_ALPHA;
      return tf.div(tf.sub(1, cappedExp(tf.mul(u, -alpha))), alpha) as tf.Tensor1D;
    }
  }
}
