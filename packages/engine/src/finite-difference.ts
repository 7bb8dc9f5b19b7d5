// Central finite differences, for gradient tests of losses and ops.
import * as tf from '@tensorflow/tfjs';

/** d f / d x by central differences at every element of x; f returns a scalar. Uses float64 on the host. */
export function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, eps = 1e-3): Float32Array {
  const base = x.dataSync().slice();
  const grad = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const v = base.slice();
        v[i] += delta;
        return f(tf.tensor(v, x.shape)).dataSync()[0];
      });
    grad[i] = (at(eps) - at(-eps)) / (2 * eps);
  }
  return grad;
}
