// runs/<experiment>/jobs.json: the Slurm jobs each `spo submit` queued (written atomically after every
// sbatch, so a submit stopped half way still records what it queued), read back by `spo status`,
// `spo cancel` and `spo submit --wait`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from '@spo/engine';

export interface SubmittedJob {
  /** "data", "sft-<variant>", "runs-<variant>", "report", ... */
  key: string;
  stage: 'data' | 'sft' | 'rm' | 'train' | 'report';
  jobId: string;
  /** The log file, with %A (array id) and %a (task index) left for an array's tasks. */
  log: string;
  /** For an array: the run each task index trains. */
  runs?: string[];
  /** For a data-variant stage: the variant's id ('' for the only one). */
  variant?: string;
}

export interface SlurmJobsRecord {
  submissions: { submittedAt: string; jobs: SubmittedJob[] }[];
}

export const slurmJobsPath = (runDir: string) => join(runDir, 'jobs.json');

export function readSlurmJobs(runDir: string): SlurmJobsRecord {
  const path = slurmJobsPath(runDir);
  if (!existsSync(path)) return { submissions: [] };
  const record = readJsonFile<SlurmJobsRecord>(path, `delete it if no job of ${runDir} is queued any more`);
  if (!Array.isArray(record.submissions)) throw new Error(`${path}: damaged, it has no "submissions" list`);
  return record;
}

export function writeSlurmJobs(runDir: string, record: SlurmJobsRecord): void {
  writeJsonAtomic(slurmJobsPath(runDir), record);
}
