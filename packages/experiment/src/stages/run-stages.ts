// Every stage of an experiment but the report, in one process, in dependency order: each data
// variant's data, SFT and reward model, then each run's training and eval. Finished stages are
// skipped, so this is also how a partly run experiment is completed (`spo run` adds the report).
import { dataStage } from './data-stage.js';
import { sftStage } from './sft-stage.js';
import { rewardModelStage } from './rm-stage.js';
import { trainStage } from './train-stage.js';
import { evalRunStage } from './eval-stage.js';
import { ownRuns, ownVariants } from '../plan/plan.js';
import type { StageContext } from './context.js';

export async function runStages(ctx: StageContext): Promise<void> {
  for (const v of ownVariants(ctx.plan)) {
    await dataStage(ctx, v);
    await sftStage(ctx, v);
    if (ctx.config.rewardModel) await rewardModelStage(ctx, v);
  }
  const runs = ownRuns(ctx.plan);
  for (const [i, run] of runs.entries()) {
    ctx.log(`[run ${i + 1}/${runs.length}] ${run.name}`);
    await trainStage(ctx, run);
    await evalRunStage(ctx, run);
  }
}
