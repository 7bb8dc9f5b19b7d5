import { join } from 'node:path';
import { tf } from '@spo/engine';
import { initCausalLM } from '@spo/model';
import { readPreparedDataset } from '@spo/data';
import { trainSft } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import type { StageContext } from './context.js';
import type { Variant } from '../experiment/plan.js';

/** SFT from scratch on one data variant's demonstrations. */
export async function sftStage(ctx: StageContext, v: Variant): Promise<void> {
  const label = v.id ? `sft ${v.id}` : 'sft';
  const stage = { dir: v.dirs.sft, hash: v.hashes.sft };
  await runStage({ label, stage, requires: [[{ dir: v.dirs.data, hash: v.hashes.data }, v.id ? `data-${v.id}` : 'data']], force: ctx.force, log: ctx.log }, () => {
    const ds = readPreparedDataset(join(v.dirs.data, 'dataset'));
    const model = initCausalLM({ ...ctx.config.model, vocabSize: ds.tokenizer.size }, v.seed);
    ctx.log(`[${label}] GPT with ${model.parameterCount().toLocaleString('en')} parameters (${ctx.config.model.nLayers} layers, d=${ctx.config.model.dModel}), ${ctx.config.sft.steps} steps of ${ctx.config.sft.batchSize} x ${ctx.config.sft.gradAccumulation}`);
    const summary = trainSft({ model, tokenizer: ds.tokenizer, examples: ds.sft, config: ctx.config.sft, seed: v.seed, dir: stage.dir, log: ctx.log });
    ctx.log(`[${label}] done: final loss ${summary.final.loss.toFixed(4)}, ${Math.round(summary.tokensPerSecond)} tokens/s, ${(summary.secondsPerStep * 1000).toFixed(0)} ms/step`);
    model.dispose();
    tf.disposeVariables();
    return summary;
  });
}
