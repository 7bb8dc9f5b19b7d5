// Reward-model training: Bradley-Terry on preference pairs (rewardModelLoss in @spo/losses), chosen and
// rejected responses in one forward, with agreement on held-out pairs logged at every checkpoint and
// at the end (validation.jsonl), and the final model saved as a sequence-classification folder.
import { join } from 'node:path';
import { appendToFile, tf, writeJsonAtomic } from '@spo/engine';
import { saveRewardModel, writeRewardModelFiles, type RewardModel } from '@spo/model';
import { encodeSequence, padBatch, type PreferencePair, type TextTokenizer } from '@spo/data';
import { rewardModelLoss } from '@spo/losses';
import type { RewardModelConfig } from './reward-config.js';
import { pairAgreement, rewardScores, type PairAgreement } from './reward-scores.js';
import { trainLoop } from './train-loop.js';
import type { TrainSummary } from './train-summary.js';

export interface RewardTrainingArgs {
  model: RewardModel;
  tokenizer: TextTokenizer;
  pairs: readonly PreferencePair[];
  /** Held-out pairs: accuracy (and oracle agreement, where they carry oracle rewards) is measured on them. */
  validation: readonly PreferencePair[];
  config: RewardModelConfig;
  seed: number;
  dir: string;
  stopAfter?: number;
  log?: (line: string) => void;
}

export interface RewardTrainingResult {
  summary: TrainSummary;
  /** Agreement on the held-out pairs after the last step; absent when there are none. */
  validation?: PairAgreement;
}

export function trainRewardModel(a: RewardTrainingArgs): RewardTrainingResult {
  const log = a.log ?? ((line: string) => console.error(line));
  const maxLength = a.model.lm.config.maxPositions;
  const encoded = a.pairs.map((p) => [
    encodeSequence(a.tokenizer, p.prompt, p.chosen, maxLength),
    encodeSequence(a.tokenizer, p.prompt, p.rejected, maxLength),
  ]);
  const validate = (step: number): PairAgreement | undefined => {
    if (a.validation.length === 0) return undefined;
    const prompts = a.validation.map((p) => p.prompt);
    const agreement = pairAgreement(
      rewardScores(
        a.model,
        a.tokenizer,
        prompts,
        a.validation.map((p) => p.chosen),
      ),
      rewardScores(
        a.model,
        a.tokenizer,
        prompts,
        a.validation.map((p) => p.rejected),
      ),
      a.validation.every((p) => p.chosenReward !== undefined && p.rejectedReward !== undefined)
        ? a.validation.map((p) => ({ chosen: p.chosenReward!, rejected: p.rejectedReward! }))
        : undefined,
    );
    appendToFile(join(a.dir, 'validation.jsonl'), `${JSON.stringify({ step, ...agreement })}\n`);
    log(
      `[rm] step ${step}: held-out accuracy ${agreement.accuracy.toFixed(3)} on ${agreement.n} pairs` +
        (agreement.oracleAgreement !== undefined ? `, oracle agreement ${agreement.oracleAgreement.toFixed(3)}` : '') +
        `, mean margin ${agreement.meanMargin.toFixed(3)}`,
    );
    return agreement;
  };
  a.model.lm.gradientCheckpointing = a.config.gradientCheckpointing;
  const summary = trainLoop({
    stage: 'rm',
    section: 'rewardModel',
    dir: a.dir,
    config: a.config,
    seed: a.seed,
    datasetSize: encoded.length,
    variables: a.model.variables(),
    stopAfter: a.stopAfter,
    log,
    writeModel: (d) => writeRewardModelFiles(d, a.model, a.tokenizer.files()),
    beforeStep: (step) => {
      if (step > 0 && step % a.config.checkpointEvery === 0) validate(step);
    },
    lossFn: (indices, countTokens) => {
      const rows = [...indices.map((i) => encoded[i][0]), ...indices.map((i) => encoded[i][1])];
      const batch = padBatch(rows, a.tokenizer.padId);
      countTokens(batch.tokens);
      const rewards = a.model.rewards(
        tf.tensor2d(batch.ids, [batch.rows, batch.width], 'int32'),
        rows.map((s) => s.ids.length),
      );
      const [chosen, rejected] = tf.split(rewards, 2) as tf.Tensor1D[];
      const loss = tf.mean(rewardModelLoss(chosen, rejected, a.config)) as tf.Scalar;
      const margins = tf.sub(chosen, rejected);
      return {
        loss,
        metrics: {
          'rewards/chosen': tf.mean(chosen) as tf.Scalar,
          'rewards/rejected': tf.mean(rejected) as tf.Scalar,
          'rewards/accuracies': tf.mean(tf.cast(tf.greater(margins, 0), 'float32')) as tf.Scalar,
          'rewards/margins': tf.mean(margins) as tf.Scalar,
        },
      };
    },
  });
  if (summary.steps !== a.config.steps) return { summary };
  saveRewardModel(join(a.dir, 'final'), a.model, a.tokenizer.files());
  const validation = validate(summary.steps);
  if (validation) writeJsonAtomic(join(a.dir, 'validation.json'), validation);
  return { summary, validation };
}
