// SPO's degree classifier (docs/architecture.md §1): a linear layer from the policy's mean-pooled final hidden
// states to K level logits. It trains with the policy and is dropped after training.
import { tf, Rng, linear } from '@spo/engine';

export function createDegreeHead(dModel: number, levels: number, seed: number): Map<string, tf.Variable> {
  const rng = new Rng(`${seed}/degree-head`);
  const w = Float32Array.from({ length: dModel * levels }, () => rng.normal() * 0.02);
  return new Map([
    ['degree_head.weight', tf.variable(tf.tensor2d(w, [dModel, levels]), true)],
    ['degree_head.bias', tf.variable(tf.zeros([levels]), true)],
  ]);
}

export function degreeHeadLogits(head: Map<string, tf.Variable>, pooled: tf.Tensor2D): tf.Tensor2D {
  return linear(
    pooled,
    head.get('degree_head.weight') as tf.Tensor2D,
    head.get('degree_head.bias') as tf.Tensor1D,
  ) as tf.Tensor2D;
}
