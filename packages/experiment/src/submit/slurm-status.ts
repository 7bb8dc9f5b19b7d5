// Where each stage of a submitted plan stands: done (its folder finished under its hash: the
// filesystem is the truth), else the state of the latest job that was to run it (pending, running,
// failed, cancelled, ...: scontrol's JobState, not an exit status), or "not submitted". A failure names
// its log. `spo status` prints this; `spo submit --wait` polls it; `spo cancel` cancels what is queued.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FINISHED_STATES, parseJobStates, scancel, showJobs, type JobState } from '@spo/slurm';
import { isStageDone } from '../results/stage-record.js';
import { runEvalDir } from '../results/run-eval.js';
import { readSlurmJobs, type SubmittedJob } from '../results/slurm-jobs-record.js';
import { ownRuns, ownVariants, type ExperimentPlan } from '../plan/plan.js';

export type StageStatus = 'done' | 'pending' | 'running' | 'failed' | 'cancelled' | 'not submitted';

export interface StageState {
  stage: string;
  status: StageStatus;
  jobId?: string;
  /** Slurm's state and reason, when a job ran or waits for it. */
  slurm?: string;
  log?: string;
  node?: string;
}

function statusOf(state: JobState | undefined): StageStatus {
  if (!state) return 'not submitted';
  if (state.state === 'PENDING') return 'pending';
  if (state.state === 'CANCELLED') return 'cancelled';
  if (!FINISHED_STATES.has(state.state)) return 'running';
  return state.state === 'COMPLETED' ? 'done' : 'failed';
}

/** The task of an array with this index: its own line, or the pending line whose range holds it. */
function taskState(states: JobState[], arrayId: string, index: number): JobState | undefined {
  const tasks = states.filter((s) => s.arrayJobId === arrayId);
  const own = tasks.find((s) => s.arrayTaskId === String(index));
  if (own) return own;
  return tasks.find((s) => {
    const range = (s.arrayTaskId ?? '').split('%')[0];
    return range.split(',').some((part) => {
      const [lo, hi] = part.split('-').map(Number);
      return index >= lo && index <= (hi ?? lo);
    });
  });
}

export function slurmStatus(plan: ExperimentPlan, reportDir: string): StageState[] {
  const record = readSlurmJobs(plan.runDir);
  // the latest job that was to run each stage
  const latest = new Map<string, { job: SubmittedJob; index?: number }>();
  for (const { jobs } of record.submissions)
    for (const job of jobs) {
      if (job.runs) job.runs.forEach((run, index) => latest.set(run, { job, index }));
      else latest.set(job.key, { job });
    }
  const ids = [...new Set([...latest.values()].map((l) => l.job.jobId))];
  const states = ids.length ? parseJobStates(showJobs(ids)) : [];
  const stateOf = (stage: string, done: boolean): StageState => {
    const l = latest.get(stage);
    const jobId = l && (l.index === undefined ? l.job.jobId : `${l.job.jobId}_${l.index}`);
    if (done) return { stage, status: 'done', ...(jobId ? { jobId } : {}) };
    if (!l) return { stage, status: 'not submitted' };
    const s =
      l.index === undefined ? states.find((x) => x.jobId === l.job.jobId) : taskState(states, l.job.jobId, l.index);
    let status = statusOf(s);
    // a job that ended without its stage finishing did not do its work
    if (status === 'done') status = 'failed';
    const log =
      l.index === undefined
        ? l.job.log.replace('%j', l.job.jobId)
        : l.job.log.replace('%A', l.job.jobId).replace('%a', String(l.index));
    return {
      stage,
      status: s ? status : 'failed',
      jobId,
      slurm: s ? `${s.state}${s.reason && s.reason !== 'None' ? ` (${s.reason})` : ''}` : 'no longer known to Slurm',
      log,
      ...(s?.node && s.node !== '(null)' ? { node: s.node } : {}),
    };
  };
  const out: StageState[] = [];
  for (const v of ownVariants(plan)) {
    const s = v.id ? `-${v.id}` : '';
    out.push(stateOf(`data${s}`, isStageDone({ dir: v.dirs.data, hash: v.hashes.data })));
    out.push(stateOf(`sft${s}`, isStageDone({ dir: v.dirs.sft, hash: v.hashes.sft })));
    if (plan.config.rewardModel) out.push(stateOf(`rm${s}`, isStageDone({ dir: v.dirs.rm!, hash: v.hashes.rm! })));
  }
  for (const run of ownRuns(plan))
    out.push(
      stateOf(
        run.name,
        isStageDone({ dir: run.dir, hash: run.hashes.train }) &&
          isStageDone({ dir: runEvalDir(run.dir), hash: run.hashes.eval }),
      ),
    );
  // the report: done when its job completed, or (never submitted) when its table exists
  const report = latest.get('report');
  const reportJob = report && states.find((x) => x.jobId === report.job.jobId);
  out.push(
    report
      ? { ...stateOf('report', reportJob?.state === 'COMPLETED'), jobId: report.job.jobId }
      : { stage: 'report', status: existsSync(join(reportDir, 'results.csv')) ? 'done' : 'not submitted' },
  );
  return out;
}

/** Cancel every queued or running job of the plan's submits; returns the job ids cancelled. */
export function cancelSlurmJobs(plan: ExperimentPlan): string[] {
  const ids = [...new Set(readSlurmJobs(plan.runDir).submissions.flatMap((s) => s.jobs.map((j) => j.jobId)))];
  const live = ids.length ? parseJobStates(showJobs(ids)).filter((s) => !FINISHED_STATES.has(s.state)) : [];
  const cancel = [...new Set(live.map((s) => s.arrayJobId ?? s.jobId))];
  scancel(cancel);
  return cancel;
}

/** Poll until no stage is pending or running; returns the final states. */
export async function waitForSlurm(
  plan: ExperimentPlan,
  reportDir: string,
  log: (line: string) => void,
  pollSeconds = 5,
): Promise<StageState[]> {
  let said = '';
  for (;;) {
    const states = slurmStatus(plan, reportDir);
    const count = (s: StageStatus) => states.filter((x) => x.status === s).length;
    const line =
      `[submit] ${count('done')} done, ${count('running')} running, ${count('pending')} pending, ` +
      `${count('failed')} failed, ${count('cancelled')} cancelled of ${states.length} stages`;
    if (line !== said) log((said = line));
    if (count('running') === 0 && count('pending') === 0) return states;
    await new Promise((r) => setTimeout(r, pollSeconds * 1000));
  }
}
