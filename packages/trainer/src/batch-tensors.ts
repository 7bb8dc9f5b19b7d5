import { tf } from '@spo/engine';
import type { PaddedBatch } from '@spo/data';

export interface BatchTensors {
  ids: tf.Tensor2D;
  responseMask: tf.Tensor2D;
  tokenMask: tf.Tensor2D;
  /** The first position whose logits any response token needs (CausalLM.forward's logitsFrom). */
  logitsFrom: number;
}

export function batchTensors(b: PaddedBatch): BatchTensors {
  return {
    ids: tf.tensor2d(b.ids, [b.rows, b.width], 'int32'),
    responseMask: tf.tensor2d(b.responseMask, [b.rows, b.width]),
    tokenMask: tf.tensor2d(b.tokenMask, [b.rows, b.width]),
    logitsFrom: Math.max(0, b.responseStart - 1),
  };
}

/** Mean of hidden states [B, T, d] over real tokens → [B, d]. */
export function meanPool(hidden: tf.Tensor3D, tokenMask: tf.Tensor2D): tf.Tensor2D {
  const mask = tf.expandDims(tokenMask, -1);
  return tf.div(tf.sum(tf.mul(hidden, mask), 1), tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor2D;
}
