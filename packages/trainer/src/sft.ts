// Supervised fine-tuning: token-averaged negative log-likelihood of the responses.
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { responseLogProbs, saveCheckpoint, writeCheckpointFiles, type CausalLM } from '@spo/model';
import { encodeSequence, type SftExample, type TextTokenizer } from '@spo/data';
import type { TrainConfig } from './config.js';
import { trainLoop } from './train-loop.js';
import type { TrainSummary } from './train-summary.js';
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
  const sequences = a.examples.map((e) =>
    encodeSequence(a.tokenizer, e.prompt, e.response, a.model.config.maxPositions),
  );
  return (indices, countTokens) => {
    const rows = indices.map((i) => sequences[i]);
    countTokens(rows.reduce((total, s) => total + s.ids.length, 0));
    // each sequence whole, as SFT has always run (its batches rarely repeat a prompt)
    const lp = responseLogProbs(a.model, rows, a.tokenizer.padId, 'per-row');
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
