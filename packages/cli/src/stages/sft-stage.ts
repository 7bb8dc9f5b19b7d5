import { join } from 'node:path';
import { tf } from '@spo/engine';
import { CausalLM } from '@spo/model';
import { readPreparedDataset } from '@spo/data';
import { trainSft } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';

export async function sftStage(ctx: StageContext): Promise<void> {
  const dirs = stageDirs(ctx);
  const stage = dirs.sft;
  await runStage({ label: 'sft', stage, requires: [[dirs.data, 'data']], force: ctx.force, log: ctx.log }, () => {
    const ds = readPreparedDataset(join(dirs.data.dir, 'dataset'));
    const model = CausalLM.init({ ...ctx.config.model, vocabSize: ds.tokenizer.size }, ctx.config.seed);
    ctx.log(`[sft] GPT with ${model.parameterCount().toLocaleString('en')} parameters (${ctx.config.model.nLayers} layers, d=${ctx.config.model.dModel}), ${ctx.config.sft.steps} steps of ${ctx.config.sft.batchSize} x ${ctx.config.sft.gradAccumulation}`);
    const summary = trainSft({ model, tokenizer: ds.tokenizer, examples: ds.sft, config: ctx.config.sft, seed: ctx.config.seed, dir: stage.dir, log: ctx.log });
    ctx.log(`[sft] done: final loss ${summary.final.loss.toFixed(4)}, ${Math.round(summary.tokensPerSecond)} tokens/s, ${(summary.secondsPerStep * 1000).toFixed(0)} ms/step`);
    model.dispose();
    tf.disposeVariables();
    return summary;
  });
}
