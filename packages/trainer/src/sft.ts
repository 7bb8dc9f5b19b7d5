// Supervised fine-tuning: token-averaged negative log-likelihood of the responses.
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { sequenceLogProbs, saveCheckpoint, writeCheckpointFiles, type CausalLM } from '@spo/model';
import { encodeSequence, padBatch, type SftExample, type TextTokenizer } from '@spo/data';
import type { TrainConfig } from './config.js';
import { batchTensors } from './batch-tensors.js';
import { trainLoop, type TrainSummary } from './train-loop.js';
import type { LossFn } from './train-step.js';

export interface SftArgs {
  model: CausalLM;
  tokenizer: TextTokenizer;
  examples: readonly SftExample[];
  config: TrainConfig;
  seed: number;
  dir: string;
  stopAfter?: number;
  log?: (line: string) => void;
}

/** The loss of an SFT step, as the trainer computes it (`trainSft`, and the bench, which times it). */
export function sftObjective(a: Pick<SftArgs, 'model' | 'tokenizer' | 'examples'>): LossFn {
  const sequences = a.examples.map((e) => encodeSequence(a.tokenizer, e.prompt, e.response, a.model.config.maxPositions));
  return (indices, countTokens) => {
    const batch = padBatch(indices.map((i) => sequences[i]), a.tokenizer.padId);
    countTokens(batch.tokens);
    const t = batchTensors(batch);
    const lp = sequenceLogProbs(a.model.forward(t.ids, { logitsFrom: t.logitsFrom }).logits, t.ids, t.responseMask);
    const loss = tf.neg(tf.div(tf.sum(lp.sum), tf.sum(lp.count))) as tf.Scalar;
    return { loss, metrics: { 'logps/response': tf.mean(lp.sum) as tf.Scalar } };
  };
}

export function trainSft(a: SftArgs): TrainSummary {
  a.model.gradientCheckpointing = a.config.gradientCheckpointing;
  const summary = trainLoop({
    stage: 'sft',
    section: 'sft',
    dir: a.dir,
    config: a.config,
    seed: a.seed,
    datasetSize: a.examples.length,
    variables: a.model.trainableParams(),
    stopAfter: a.stopAfter,
    log: a.log,
    writeModel: (d) => writeCheckpointFiles(d, a.model, a.tokenizer.files()),
    lossFn: sftObjective(a),
  });
  if (summary.steps === a.config.steps) saveCheckpoint(join(a.dir, 'final'), a.model, a.tokenizer.files());
  return summary;
}
