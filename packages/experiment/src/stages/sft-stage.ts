import { join } from 'node:path';
import { tf } from '@spo/engine';
import { describeConfig, describePretrained, isPretrained, saveCheckpoint } from '@spo/model';
import { readPreparedDataset } from '@spo/data';
import { trainSft } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import { startingModel } from './starting-model.js';
import { copyTrained, recordTrained, sftInputs, trainedFrom } from './sft-reuse.js';
import type { StageContext } from './context.js';
import type { Variant } from '../plan/plan.js';

/**
 * The model a variant's preference training, reward model and eval baseline start from, as sft/final:
 * a fresh model after SFT on the demonstrations, or the pretrained model of model.from, after SFT when
 * sft.steps is above 0 (with LoRA adapters when configured, merged into the saved model); copied from
 * another variant's SFT stage when that one was trained from the same inputs (sft-reuse.ts).
 */
export async function sftStage(ctx: StageContext, v: Variant): Promise<void> {
  const label = v.id ? `sft ${v.id}` : 'sft';
  const stage = { dir: v.dirs.sft, hash: v.hashes.sft };
  await runStage(
    {
      label,
      stage,
      requires: [[{ dir: v.dirs.data, hash: v.hashes.data }, v.id ? `data-${v.id}` : 'data']],
      force: ctx.force,
      log: ctx.log,
    },
    () => {
      const ds = readPreparedDataset(join(v.dirs.data, 'dataset'));
      const inputs = sftInputs(ctx, v, ds);
      const trained = ctx.force ? undefined : trainedFrom(ctx, inputs, stage);
      if (trained) {
        const summary = copyTrained(trained, stage.dir);
        ctx.log(`[${label}] the same demonstrations, model, settings and seed as ${trained.dir}: its model copied`);
        return summary;
      }
      recordTrained(ctx, inputs, stage);
      const section = ctx.config.model;
      const model = startingModel(section, ds.tokenizer.size, v.seed);
      const origin = isPretrained(section) ? `pretrained ${describePretrained(section.from)}` : 'fresh';
      ctx.log(
        `[${label}] ${origin}: ${describeConfig(model.config)}, ` +
          `${model.parameterCount().toLocaleString('en')} parameters`,
      );
      if (isPretrained(section) && ctx.config.sft.steps === 0) {
        saveCheckpoint(join(stage.dir, 'final'), model, ds.tokenizer.files());
        ctx.log(`[${label}] no SFT steps: the pretrained model is the starting and reference model`);
        model.dispose();
        return { steps: 0, from: section.from };
      }
      if (isPretrained(section) && section.lora) {
        const lora = model.attachLora(section.lora, v.seed);
        ctx.log(
          `[${label}] LoRA rank ${section.lora.rank}, alpha ${section.lora.alpha}: ` +
            `${lora.parameterCount().toLocaleString('en')} trainable parameters`,
        );
      }
      ctx.log(
        `[${label}] ${ctx.config.sft.steps} SFT steps of ` +
          `${ctx.config.sft.batchSize} x ${ctx.config.sft.gradAccumulation}`,
      );
      const summary = trainSft({
        model,
        tokenizer: ds.tokenizer,
        examples: ds.sft,
        config: ctx.config.sft,
        seed: v.seed,
        dir: stage.dir,
        log: ctx.log,
      });
      ctx.log(
        `[${label}] done: final loss ${summary.final.loss.toFixed(4)}, ` +
          `${Math.round(summary.tokensPerSecond)} tokens/s, ${(summary.secondsPerStep * 1000).toFixed(0)} ms/step`,
      );
      model.dispose();
      tf.disposeVariables();
      return summary;
    },
  );
}
