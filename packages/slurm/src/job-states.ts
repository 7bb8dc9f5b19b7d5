// Job states from `scontrol show job -o` lines. A job array shows one line per task (and one for the
// tasks not yet started, with ArrayTaskId a range). Note that a job cancelled because a dependency failed
// is CANCELLED with Reason=DependencyNeverSatisfied, while `sbatch --wait` would have exited 0 for it:
// the state, not an exit status, says what happened.

export interface JobState {
  jobId: string;
  /** The array's id and this task's index (or range, for tasks not yet started). */
  arrayJobId?: string;
  arrayTaskId?: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ... */
  state: string;
  reason: string;
  exitCode: string;
  stdout?: string;
  node?: string;
}

/** States after which a job will not run again. */
export const FINISHED_STATES = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
]);

export function parseJobStates(scontrolOneLiners: string): JobState[] {
  return scontrolOneLiners
    .split('\n')
    .filter((line) => line.includes('JobId='))
    .map((line) => {
      const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1];
      return {
        jobId: field('JobId')!,
        arrayJobId: field('ArrayJobId'),
        arrayTaskId: field('ArrayTaskId'),
        state: field('JobState') ?? 'UNKNOWN',
        reason: field('Reason') ?? '',
        exitCode: field('ExitCode') ?? '',
        stdout: field('StdOut'),
        node: field('BatchHost') ?? field('NodeList'),
      };
    });
}
