// Log-probs of many sequences under a model without gradients, batched: the frozen reference's
// log-probs for preference training, and scoring for evaluation.
import { tf } from '@spo/engine';
import type { CausalLM } from '@spo/model';
import { sequenceLogProbs } from '@spo/model';
import { padBatch, type TokenizedSequence } from '@spo/data';
import { batchTensors } from './batch-tensors.js';

export interface SequenceScores {
  sum: Float32Array;
  mean: Float32Array;
}

export function scoreSequences(model: CausalLM, sequences: readonly TokenizedSequence[], padId: number, batchSize = 64): SequenceScores {
  const sum = new Float32Array(sequences.length), mean = new Float32Array(sequences.length);
  for (let start = 0; start < sequences.length; start += batchSize) {
    const chunk = sequences.slice(start, start + batchSize);
    const [s, m] = tf.tidy(() => {
      const t = batchTensors(padBatch(chunk, padId));
      const lp = sequenceLogProbs(model.forward(t.ids, { logitsFrom: t.logitsFrom }).logits, t.ids, t.responseMask);
      return [lp.sum.dataSync(), lp.mean.dataSync()];
    });
    sum.set(s, start);
    mean.set(m, start);
  }
  return { sum, mean };
}
