// The Slurm client commands the submit engine uses: sbatch (submit), scontrol (job states, kept for
// MinJobAge after a job ends, so no accounting database is needed) and scancel, each with its failure
// turned into a message that says which command failed and what it printed.
import { execFileSync } from 'node:child_process';

function slurm(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      throw new Error(`${command} is not installed here: run this on a Slurm login node (or see tools/slurm/)`);
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** Whether a Slurm controller answers here (`sinfo` works). */
export function slurmAvailable(): boolean {
  try {
    execFileSync('sinfo', ['-h'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Submit a batch script; returns the job id (an array's id for --array). */
export function sbatch(args: string[], script: string): string {
  const out = slurm('sbatch', ['--parsable', ...args, script]).trim();
  const id = out.split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed "${out}", not a job id`);
  return id;
}

/** `scontrol show job -o` for these jobs (one line per job or array task); jobs Slurm has forgotten are left out. */
export function showJobs(ids: readonly string[]): string {
  const lines: string[] = [];
  for (const id of ids) {
    try {
      lines.push(
        execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      );
    } catch (error) {
      const stderr = `${(error as { stderr?: string }).stderr ?? ''}`;
      if (!/Invalid job id/i.test(stderr)) throw new Error(`scontrol show job ${id} failed: ${stderr.trim()}`);
    }
  }
  return lines.join('');
}

export function scancel(ids: readonly string[]): void {
  if (ids.length) slurm('scancel', [...ids]);
}
