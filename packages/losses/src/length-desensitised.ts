// LD-DPO, Liu et al. 2024, "Length Desensitization in Direct Preference Optimization", Section 4: the
// likelihood of each response of a pair splits at l_p = min(|y_w|, |y_l|), the length both responses
// cover, and the longer response's tail is damped by α ∈ [0, 1]:
//   log π̂(y|x) = Σ_{t ≤ l_p} log π(y_t|x, y_<t) + α Σ_{t > l_p} log π(y_t|x, y_<t)
// for the policy and the reference alike (α = 1 is the plain sum; α = 0 compares equal lengths only).
import { tf } from '@spo/engine';

/** log π̂ from the full sum and the sum over the pair's shared length: prefix + α (sum − prefix). */
export function lengthDesensitised(sum: tf.Tensor1D, prefix: tf.Tensor1D, alpha: number): tf.Tensor1D {
  return tf.add(prefix, tf.mul(tf.sub(sum, prefix), alpha)) as tf.Tensor1D;
}
