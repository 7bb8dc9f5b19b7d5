// An experiment's plan as Slurm jobs, leaving out what is finished: per data variant one job per stage
// (data -> sft -> rm, each after the one before), the variant's unfinished runs as one job array (a run's
// training and eval per task) after its variant's stages, and the report after every other job. A
// dependency on a stage that is already done is simply left out.
import { isStageDone } from '../results/stage-record.js';
import { runEvalDir } from '../results/run-eval.js';
import { ownRuns, ownVariants, type ExperimentPlan, type Variant } from '../plan/plan.js';

export interface PlannedJob {
  key: string;
  stage: 'data' | 'sft' | 'rm' | 'train' | 'report';
  /** The `spo` subcommand and its own arguments; the common ones (--config, --set, ...) are added later. */
  command: string[];
  /** Keys of the jobs of this submit it waits for. */
  after: string[];
  /** For an array: the runs, one per task. */
  runs?: string[];
  variant?: string;
}

const suffixOf = (v: Variant) => (v.id ? `-${v.id}` : '');
const variantArgs = (v: Variant) => (v.id ? ['--variant', v.id] : []);

/** The jobs that would finish the plan; with `force`, every stage (each is rerun). */
export function slurmJobs(plan: ExperimentPlan, o: { force?: boolean; reportMissing: boolean }): PlannedJob[] {
  const todo = (done: boolean) => o.force || !done;
  const jobs: PlannedJob[] = [];
  const variantJob = new Map<string, string>(); // variant id -> key of its last queued stage
  for (const v of ownVariants(plan)) {
    const s = suffixOf(v);
    let last: string | undefined;
    const stage = (stage: PlannedJob['stage'], command: string[], done: boolean) => {
      if (!todo(done)) return;
      const key = `${stage}${s}`;
      jobs.push({ key, stage, command, after: last ? [last] : [], variant: v.id });
      last = key;
    };
    stage('data', ['data', ...variantArgs(v)], isStageDone({ dir: v.dirs.data, hash: v.hashes.data }));
    stage('sft', ['sft', ...variantArgs(v)], isStageDone({ dir: v.dirs.sft, hash: v.hashes.sft }));
    if (plan.config.rewardModel)
      stage('rm', ['train', '--stage', 'rm', ...variantArgs(v)], isStageDone({ dir: v.dirs.rm!, hash: v.hashes.rm! }));
    if (last) variantJob.set(v.id, last);
  }
  const runsByVariant = new Map<string, string[]>();
  for (const run of ownRuns(plan)) {
    const done =
      isStageDone({ dir: run.dir, hash: run.hashes.train }) &&
      isStageDone({ dir: runEvalDir(run.dir), hash: run.hashes.eval });
    if (!todo(done)) continue;
    const id = (run.variant.sameAs ?? run.variant.id) as string;
    runsByVariant.set(id, [...(runsByVariant.get(id) ?? []), run.name]);
  }
  for (const [id, runs] of runsByVariant) {
    const v = plan.variants.find((x) => x.id === id)!;
    const after = variantJob.get(id);
    jobs.push({
      key: `runs${suffixOf(v)}`,
      stage: 'train',
      command: ['train', '--run'],
      after: after ? [after] : [],
      runs,
      variant: id,
    });
  }
  if (jobs.length > 0 || o.reportMissing || o.force)
    jobs.push({ key: 'report', stage: 'report', command: ['report'], after: jobs.map((j) => j.key) });
  return jobs;
}
