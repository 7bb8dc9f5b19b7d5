import { prepareSynthetic, writePreparedDataset } from '@spo/data';
import { closeStage, isStageDone, openStage } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';

export function dataStage(ctx: StageContext): void {
  const stage = stageDirs(ctx).data;
  if (isStageDone(stage)) return ctx.log(`[data] ${stage.dir} is up to date (${stage.hash})`);
  openStage(stage, ctx.log);
  const ds = prepareSynthetic(ctx.config.data, ctx.config.seed);
  writePreparedDataset(`${stage.dir}/dataset`, ds);
  const m = ds.manifest;
  ctx.log(`[data] ${ctx.config.data.task}: ${m.counts.sft} SFT demonstrations, ${m.counts.preferences} preference pairs, ${m.counts.lists} ranked lists, ${m.counts.eval} held-out prompts; vocabulary ${ds.tokenizer.size}; tokens per sequence max ${m.tokens.max}, mean ${m.tokens.mean.toFixed(1)}`);
  closeStage(stage, m);
}
