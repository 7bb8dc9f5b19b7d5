// The reward-model stage: a score head on the SFT model, trained with Bradley-Terry on the preference
// pairs; held-out agreement (and, on synthetic tasks, agreement with the oracle) goes to validation.json.
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { loadCheckpoint, RewardModel } from '@spo/model';
import { readPreparedDataset } from '@spo/data';
import { trainRewardModel } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';

export async function rewardModelStage(ctx: StageContext): Promise<void> {
  const dirs = stageDirs(ctx);
  const config = ctx.config.rewardModel;
  if (!dirs.rm || !config) throw new Error(`${ctx.configPath} has no "rewardModel" section: add one (e.g. {"steps": 200, "batchSize": 16, "lr": 0.001}) to train a reward model`);
  const stage = dirs.rm;
  await runStage({ label: 'rm', stage, requires: [[dirs.data, 'data'], [dirs.sft, 'sft']], force: ctx.force, log: ctx.log }, () => {
    const ds = readPreparedDataset(join(dirs.data.dir, 'dataset'));
    const sftFinal = join(dirs.sft.dir, 'final');
    const model = RewardModel.fromLanguageModel(loadCheckpoint(sftFinal).model, ctx.config.seed);
    ctx.log(`[rm] reward model from ${sftFinal}: ${config.steps} steps of ${config.batchSize} pairs, ${ds.validation.length} held-out pairs`);
    const { summary, validation } = trainRewardModel({
      model, tokenizer: ds.tokenizer, pairs: ds.preferences, validation: ds.validation, config, seed: ctx.config.seed, dir: stage.dir, log: ctx.log,
  });
  ctx.log(`[rm] done: loss ${summary.final.loss.toFixed(4)}, train accuracy ${summary.final['rewards/accuracies'].toFixed(3)}${validation ? `, held-out accuracy ${validation.accuracy.toFixed(3)}` : ''}; ${Math.round(summary.tokensPerSecond)} tokens/s`);
  model.dispose();
  tf.disposeVariables();
  return { ...summary, validation };
  });
}
