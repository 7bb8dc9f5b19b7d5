// `spo submit --engine slurm`: the plan's unfinished stages as Slurm jobs (slurm-jobs.ts), each running
// the very `spo` stage command a local run would, in the submitting directory, so the numbers are the
// same. Each job's script is kept under runs/<experiment>/slurm/ and its log under runs/<experiment>/logs/;
// job ids go to runs/<experiment>/jobs.json after every sbatch. Dependencies are afterok, with
// --kill-on-invalid-dep=yes so the jobs after a failed one are cancelled rather than left pending.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@spo/engine';
import { resourceArgs, resourcesFor, sbatch, type SlurmStage } from '@spo/slurm';
import type { ExperimentPlan } from '../plan/plan.js';
import { readSlurmJobs, writeSlurmJobs, type SubmittedJob } from '../results/slurm-jobs-record.js';
import { slurmJobs, type PlannedJob } from './slurm-jobs.js';

export interface SubmitOptions {
  plan: ExperimentPlan;
  /** How a job starts `spo`: e.g. [node, --import, tsx, /abs/packages/cli/src/main.ts]. */
  spo: string[];
  /** The options every stage command repeats: --config, --set, --run-dir, --report-dir, --backend. */
  common: string[];
  reportDir: string;
  /** The numerics path the plan's hashes were made with: a job on a node that computes otherwise stops. */
  numerics: string;
  force?: boolean;
  /** Most array tasks of one data variant running at once (sbatch's %N). */
  maxParallel?: number;
  sbatchArgs?: string[];
  dryRun?: boolean;
  log: (line: string) => void;
}

/** Environment that selects the backend and the matmul path, passed through to every job. */
const PASSED_ENVIRONMENT = /^(SPO_|OPENBLAS_|OMP_|CUDA_VISIBLE_DEVICES$)/;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function jobScript(job: PlannedJob, o: SubmitOptions, cwd: string): string {
  const runDir = resolve(cwd, o.plan.runDir);
  const exports = Object.entries(process.env)
    .filter(([k, v]) => PASSED_ENVIRONMENT.test(k) && v !== undefined && k !== 'SPO_SUBMITTED_NUMERICS')
    .map(([k, v]) => `export ${k}=${quote(v!)}`);
  const command = [
    ...o.spo,
    ...job.command,
    ...(job.runs ? ['"$run"'] : []),
    ...o.common,
    ...(o.force ? ['--force'] : []),
  ];
  return [
    '#!/usr/bin/env bash',
    `# ${job.key} of experiment ${o.plan.config.name}, written by spo submit`,
    'set -euo pipefail',
    `cd ${quote(cwd)} || ${stopUnshared(`cannot enter ${cwd}`, 'the repository')}`,
    `[ -d ${quote(runDir)} ] || ${stopUnshared(`${runDir} is not visible`, 'runs/')}`,
    ...exports,
    `export SPO_SUBMITTED_NUMERICS=${quote(o.numerics)}`,
    ...(job.runs ? [`runs=(${job.runs.map(quote).join(' ')})`, 'run=${runs[$SLURM_ARRAY_TASK_ID]}'] : []),
    `echo "[slurm] job $SLURM_JOB_ID${job.runs ? ' task $SLURM_ARRAY_TASK_ID ($run)' : ''} on $(hostname)"`,
    command.map((x) => (x === '"$run"' ? x : quote(x))).join(' '),
    '',
  ].join('\n');
}

/** The shell that stops a job whose node cannot see the submitting machine's files, saying which. */
function stopUnshared(problem: string, what: string): string {
  return `{ echo "spo: ${problem} on $(hostname): ${what} must be on a filesystem every node shares" >&2; exit 1; }`;
}

/** Queue the plan's unfinished stages; returns the jobs queued (none when everything is done). */
export function submitToSlurm(o: SubmitOptions): SubmittedJob[] {
  const cwd = process.cwd();
  const runDir = o.plan.runDir;
  const jobs = slurmJobs(o.plan, { force: o.force, reportMissing: !existsSync(join(o.reportDir, 'results.csv')) });
  if (jobs.length === 0) {
    o.log(`[submit] every stage of ${o.plan.config.name} is done and its report written: queued nothing`);
    return [];
  }
  const scripts = join(runDir, 'slurm'),
    logs = join(runDir, 'logs');
  mkdirSync(scripts, { recursive: true });
  mkdirSync(logs, { recursive: true });
  const record = readSlurmJobs(runDir);
  const submission = { submittedAt: new Date().toISOString(), jobs: [] as SubmittedJob[] };
  if (!o.dryRun) record.submissions.push(submission);
  const ids = new Map<string, string>();
  for (const job of jobs) {
    const script = join(scripts, `${job.key}.sh`);
    writeFileAtomic(script, jobScript(job, o, cwd));
    chmodSync(script, 0o755);
    const log = resolve(cwd, logs, job.runs ? `${job.key}-%A_%a.out` : `${job.key}-%j.out`);
    const after = job.after.map((k) => ids.get(k) ?? `<${k}>`);
    const args = [
      `--job-name=spo-${o.plan.config.name}-${job.key}`,
      `--output=${log}`,
      ...(after.length ? [`--dependency=afterok:${after.join(':')}`, '--kill-on-invalid-dep=yes'] : []),
      ...(job.runs ? [`--array=0-${job.runs.length - 1}${o.maxParallel ? `%${o.maxParallel}` : ''}`] : []),
      ...resourceArgs(resourcesFor(o.plan.config.slurm, job.stage as SlurmStage)),
      ...(o.sbatchArgs ?? []),
    ];
    const line = `sbatch ${args.join(' ')} ${script}`;
    if (o.dryRun) {
      o.log(line);
      ids.set(job.key, `<${job.key}>`);
      continue;
    }
    const jobId = sbatch(args, script);
    ids.set(job.key, jobId);
    submission.jobs.push({
      key: job.key,
      stage: job.stage,
      jobId,
      log,
      ...(job.runs ? { runs: job.runs } : {}),
      ...(job.variant !== undefined ? { variant: job.variant } : {}),
    });
    writeSlurmJobs(runDir, record);
    o.log(`[submit] ${job.key}: job ${jobId}${job.runs ? ` (${job.runs.length} runs)` : ''}`);
  }
  return submission.jobs;
}
