// The DPO loss of a random token batch on a model (pairs × length tokens, the first half the prompt that
// a pair's two responses share), scored as the trainer's step scores: responseLogProbs, which encodes
// each prompt once (each sequence whole under gradient checkpointing). For the tools that time or size
// a step on any model rather than the quickstart's data (bench:lora, bench:memory); meanDpoLoss is the
// loss itself, which bench:prompts takes on HH-RLHF's batches.
import { tf, Rng } from '@spo/engine';
import { responseLogProbs, type CausalLM } from '@spo/model';
import { dpoLoss } from '@spo/losses';

export function randomDpoLoss(
  model: CausalLM,
  pairs: number,
  length: number,
  seed: string,
): { loss: () => tf.Scalar; dispose: () => void } {
  const prompt = length / 2,
    V = model.config.vocabSize;
  const rng = new Rng(seed);
  const tokens = (n: number) => Array.from({ length: n }, () => 4 + rng.int(V - 4));
  const prompts = Array.from({ length: pairs }, () => tokens(prompt));
  // chosen rows first, then rejected: row i and row pairs + i share prompt i
  const rows = [0, 1].flatMap(() =>
    prompts.map((p) => ({ ids: [...p, ...tokens(length - prompt)], promptLength: prompt })),
  );
  const reference = tf.fill([pairs], -40) as tf.Tensor1D,
    lengths = tf.fill([pairs], length - prompt) as tf.Tensor1D;
  return {
    loss: () => meanDpoLoss(responseLogProbs(model, rows, 0).sum, reference, lengths, lengths),
    dispose: () => tf.dispose([reference, lengths]),
  };
}

/**
 * DPO's mean loss (β 0.1) over a batch whose log-probs `lp` hold the chosen rows, then the rejected, against
 * a fixed reference log-prob per pair.
 */
export function meanDpoLoss(
  lp: tf.Tensor1D,
  reference: tf.Tensor1D,
  chosenLengths: tf.Tensor1D,
  rejectedLengths: tf.Tensor1D,
): tf.Scalar {
  const [pairs] = reference.shape;
  return tf.mean(
    dpoLoss(
      {
        policyChosen: tf.slice(lp, [0], [pairs]) as tf.Tensor1D,
        policyRejected: tf.slice(lp, [pairs], [pairs]) as tf.Tensor1D,
        referenceChosen: reference,
        referenceRejected: reference,
        chosenLengths,
        rejectedLengths,
      },
      { beta: 0.1 },
    ).losses,
  ) as tf.Scalar;
}
