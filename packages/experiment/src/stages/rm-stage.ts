// The reward-model stage of one data variant: a score head on its SFT model, trained with Bradley-Terry
// on the preference pairs; held-out agreement (and, on synthetic tasks, agreement with the oracle) goes
// to validation.json.
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { isPretrained, loadCheckpoint, RewardModel } from '@spo/model';
import { readPreparedDataset } from '@spo/data';
import { trainRewardModel } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import type { StageContext } from './context.js';
import type { Variant } from '../plan/plan.js';

export async function rewardModelStage(ctx: StageContext, v: Variant): Promise<void> {
  const config = ctx.config.rewardModel;
  if (!config || !v.dirs.rm || !v.hashes.rm)
    throw new Error(
      `${ctx.configPath} has no "rewardModel" section: ` +
        `add one (e.g. {"steps": 200, "batchSize": 16, "lr": 0.001}) to train a reward model`,
    );
  const label = v.id ? `rm ${v.id}` : 'rm';
  const stage = { dir: v.dirs.rm, hash: v.hashes.rm };
  const suffix = v.id ? `-${v.id}` : '';
  await runStage(
    {
      label,
      stage,
      requires: [
        [{ dir: v.dirs.data, hash: v.hashes.data }, `data${suffix}`],
        [{ dir: v.dirs.sft, hash: v.hashes.sft }, `sft${suffix}`],
      ],
      force: ctx.force,
      log: ctx.log,
    },
    () => {
      const ds = readPreparedDataset(join(v.dirs.data, 'dataset'));
      const sftFinal = join(v.dirs.sft, 'final');
      const lm = loadCheckpoint(sftFinal).model;
      const section = ctx.config.model;
      if (isPretrained(section) && section.lora) lm.attachLora(section.lora, v.seed);
      const model = RewardModel.fromLanguageModel(lm, v.seed);
      ctx.log(
        `[${label}] reward model from ${sftFinal}: ` +
          `${config.steps} steps of ${config.batchSize} pairs, ${ds.validation.length} held-out pairs`,
      );
      const { summary, validation } = trainRewardModel({
        model,
        tokenizer: ds.tokenizer,
        pairs: ds.preferences,
        validation: ds.validation,
        config,
        seed: v.seed,
        dir: stage.dir,
        log: ctx.log,
      });
      ctx.log(
        `[${label}] done: loss ${summary.final.loss.toFixed(4)}, ` +
          `train accuracy ${summary.final['rewards/accuracies'].toFixed(3)}` +
          (validation ? `, held-out accuracy ${validation.accuracy.toFixed(3)}` : '') +
          `; ${Math.round(summary.tokensPerSecond)} tokens/s`,
      );
      model.dispose();
      tf.disposeVariables();
      return { ...summary, validation };
    },
  );
}
