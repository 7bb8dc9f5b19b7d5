// `spo run`: every stage of an experiment in order (finished ones skipped, a killed one resumed), then
// its report. The reporting code is loaded when the stages are done, so a process that only trains
// never loads vega.
import { runStages, type StageContext } from '@spo/experiment';

export async function runExperiment(ctx: StageContext, command: string): Promise<void> {
  await runStages(ctx);
  await (await import('@spo/reports')).reportStage(ctx, command);
}
