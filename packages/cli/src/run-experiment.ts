// `spo run`: every stage of an experiment in order (finished ones skipped, a killed one resumed), then
// its report, either in this process or, with more than one job, on worker processes
// (stage-workers.ts). The reporting code is loaded when the stages are done, so a process that only
// trains never loads vega.
import { availableParallelism, totalmem } from 'node:os';
import { runStages, type StageContext } from '@spo/experiment';

/**
 * Stage tasks at once when neither --jobs nor $SPO_JOBS says: one worker process per core, at most one
 * per 2 GiB of memory (a worker's WASM heap and its process), at least one. Measured on 2 cores with the
 * fused GPT-2 blocks (`nx run bench:sweep`, docs/architecture.md §3): a 4-seed quickstart from scratch
 * took 2.28 min in one process, 1.77 (median of three) with two workers, 1.92 with three and 1.97 with
 * four (two BLAS threads each, the same results.csv). Before the blocks were fused, a step left a core
 * idle between kernels, and three workers per two cores were fastest.
 */
export function defaultJobs(cores = availableParallelism(), memoryBytes = totalmem()): number {
  return Math.max(1, Math.min(cores, Math.floor(memoryBytes / 2 ** 31)));
}

/** --jobs, else $SPO_JOBS, else defaultJobs(). */
export function jobsToRun(option: number | undefined, env = process.env.SPO_JOBS): number {
  if (option !== undefined) return option;
  if (env === undefined || env === '') return defaultJobs();
  const jobs = Number(env);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`SPO_JOBS must be a whole number ≥ 1 (stage tasks at once), not "${env}"`);
  return jobs;
}

/** With jobs > 1, workerArgs are the `spo stage-worker` arguments: the config and the command's options. */
export async function runExperiment(
  ctx: StageContext,
  command: string,
  o: { jobs: number; workerArgs: string[] } = { jobs: 1, workerArgs: [] },
): Promise<void> {
  if (o.jobs === 1) await runStages(ctx);
  else {
    const { runOnWorkers } = await import('./stage-workers.js');
    await runOnWorkers(ctx, o);
  }
  await (await import('@spo/reports')).reportStage(ctx, command);
}
