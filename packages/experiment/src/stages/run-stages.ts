// Every stage of an experiment but the report, in one process, in dependency order: each data
// variant's data, SFT and reward model, then each run's training and eval. Finished stages are
// skipped, so this is also how a partly run experiment is completed (`spo run` adds the report).
import { runStageTask, stageTasks } from './stage-tasks.js';
import type { StageContext } from './context.js';

export async function runStages(ctx: StageContext): Promise<void> {
  for (const task of stageTasks(ctx.plan)) {
    if (task.kind === 'run') ctx.log(task.label);
    await runStageTask(ctx, task);
  }
}
