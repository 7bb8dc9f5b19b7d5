// Reward-model loss: Bradley-Terry on preference pairs, Ouyang et al. 2022 ("Training language models to
// follow instructions with human feedback"), Eq. 1:  L = −log σ(r(x, y_w) − r(x, y_l)),
// plus TRL's optional centring term (Eisenstein et al. 2023) that keeps rewards near zero: + c·(r_w + r_l)².
import { tf, logSigmoid } from '@spo/engine';
import { z } from 'zod';

export const RewardModelLossParamsSchema = z
  .object({
    /** Weight c of the centring term (TRL's center_rewards_coefficient); 0 turns it off. */
    centerCoefficient: z.number().nonnegative().default(0),
  })
  .strict();
export type RewardModelLossParams = z.infer<typeof RewardModelLossParamsSchema>;

/** Per-pair loss from the scalar rewards of the chosen and rejected responses [B]. */
export function rewardModelLoss(
  chosen: tf.Tensor1D,
  rejected: tf.Tensor1D,
  { centerCoefficient }: RewardModelLossParams,
): tf.Tensor1D {
  const bt = tf.neg(logSigmoid(tf.sub(chosen, rejected)));
  if (centerCoefficient === 0) return bt as tf.Tensor1D;
  return tf.add(bt, tf.mul(tf.square(tf.add(chosen, rejected)), centerCoefficient)) as tf.Tensor1D;
}
