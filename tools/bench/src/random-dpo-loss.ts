// The DPO loss of a random token batch on a model (pairs × length tokens, the first half the prompt,
// logits from the first response position as the trainer's step), for the tools that time or size a
// step on any model rather than the quickstart's data (bench:lora, bench:memory).
import { tf, Rng } from '@spo/engine';
import { sequenceLogProbs, type CausalLM } from '@spo/model';
import { dpoLoss } from '@spo/losses';

export function randomDpoLoss(model: CausalLM, pairs: number, length: number, seed: string): { loss: () => tf.Scalar; dispose: () => void } {
  const rows = 2 * pairs, prompt = length / 2, V = model.config.vocabSize;
  const rng = new Rng(seed);
  const ids = tf.tensor2d(Int32Array.from({ length: rows * length }, () => 4 + rng.int(V - 4)), [rows, length], 'int32');
  const mask = tf.tensor2d(Float32Array.from({ length: rows * length }, (_, i) => (i % length >= prompt ? 1 : 0)), [rows, length]);
  const reference = tf.fill([pairs], -40) as tf.Tensor1D, lengths = tf.fill([pairs], length - prompt) as tf.Tensor1D;
  return {
    loss: () => {
      const lp = sequenceLogProbs(model.forward(ids, { logitsFrom: prompt - 1 }).logits, ids, mask).sum;
      return tf.mean(dpoLoss({
        policyChosen: tf.slice(lp, [0], [pairs]) as tf.Tensor1D, policyRejected: tf.slice(lp, [pairs], [pairs]) as tf.Tensor1D,
        referenceChosen: reference, referenceRejected: reference, chosenLengths: lengths, rejectedLengths: lengths,
      }, { beta: 0.1 }).losses) as tf.Scalar;
    },
    dispose: () => tf.dispose([ids, mask, reference, lengths]),
  };
}
