// An experiment's stages but the report, as tasks with their dependencies: one task per data variant
// (its data, SFT and reward model) and one per run (its training and eval, after its variant's task).
// `runStages` does them in order in this process; `spo run --jobs n` hands them to n worker processes,
// each task to the first free worker whose dependencies are done. A stage's numbers depend only on its
// inputs, never on which process ran it or what ran before it there, so both give the same results.
import { dataStage } from './data-stage.js';
import { sftStage } from './sft-stage.js';
import { rewardModelStage } from './rm-stage.js';
import { trainStage } from './train-stage.js';
import { evalRunStage } from './eval-stage.js';
import { findRun, findVariant, ownRuns, ownVariants, type ExperimentPlan } from '../plan/plan.js';
import type { StageContext } from './context.js';

export type StageTask =
  { kind: 'variant'; variant: string; label: string } | { kind: 'run'; run: string; label: string; after: string };

/** Every task of the plan in the order one process runs them: the variants first, then the runs. */
export function stageTasks(plan: ExperimentPlan): StageTask[] {
  const variants = ownVariants(plan).map((v): StageTask => ({
    kind: 'variant',
    variant: v.id,
    label: `${v.id ? `${v.id}: ` : ''}data, sft${plan.config.rewardModel ? ', reward model' : ''}`,
  }));
  const runs = ownRuns(plan);
  return [
    ...variants,
    ...runs.map((r, i): StageTask => ({
      kind: 'run',
      run: r.name,
      label: `[run ${i + 1}/${runs.length}] ${r.name}`,
      after: r.variant.id,
    })),
  ];
}

export async function runStageTask(ctx: StageContext, task: StageTask): Promise<void> {
  if (task.kind === 'variant') {
    for (const v of findVariant(ctx.plan, task.variant)) {
      await dataStage(ctx, v);
      await sftStage(ctx, v);
      if (ctx.config.rewardModel) await rewardModelStage(ctx, v);
    }
    return;
  }
  const run = findRun(ctx.plan, task.run);
  await trainStage(ctx, run);
  await evalRunStage(ctx, run);
}
