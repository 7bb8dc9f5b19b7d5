import { tf } from '@spo/engine';
import type { PaddedBatch } from '@spo/data';

export interface BatchTensors {
  ids: tf.Tensor2D;
  responseMask: tf.Tensor2D;
  /** The first position whose logits any response token needs (CausalLM.forward's logitsFrom). */
  logitsFrom: number;
}

export function batchTensors(b: PaddedBatch): BatchTensors {
  return {
    ids: tf.tensor2d(b.ids, [b.rows, b.width], 'int32'),
    responseMask: tf.tensor2d(b.responseMask, [b.rows, b.width]),
    logitsFrom: Math.max(0, b.responseStart - 1),
  };
}
