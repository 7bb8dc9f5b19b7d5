// Outputs are written atomically: to a temporary sibling named after the writing process, then renamed
// over the target, so a killed process leaves either the old file or the new one, never half of one.
// A write that fails removes its temporary; temporaries left by killed processes are removed by the next
// write into the same folder; a failed write names the path it could not write and why.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** `.name.<pid>.tmp` and `.name.<pid>.old`: the siblings an atomic write makes while it runs. */
const TEMPORARY = /^\.(.+)\.(\d+)\.(tmp|old)$/;

/** Whether a process with this pid runs on this machine (one we may not signal counts as running). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process with this pid started (on Linux its start time in clock ticks since boot, field 22
 * of /proc/<pid>/stat), to tell it from a later process that was given the same pid; undefined where
 * that cannot be read (another OS, or no such process).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Remove temporaries in `dir` whose writing process is gone (a kill mid-write); returns their names. */
export function removeStaleTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = TEMPORARY.exec(name);
    if (!m || processAlive(Number(m[2]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** An fs error as "could not write <path>: <what>", with the advice a full disk needs. */
export function writeError(path: string, error: unknown): Error {
  const e = error as NodeJS.ErrnoException;
  const what =
    e.code === 'ENOSPC'
      ? 'no space left on the device; free some space and run again (finished stages are kept)'
      : e.code === 'EACCES' || e.code === 'EPERM'
        ? 'permission denied'
        : e.code === 'EROFS'
          ? 'the file system is read-only'
          : e.message;
  return new Error(`could not write ${path}: ${what}`, { cause: error });
}

/** Remove a temporary; a failure here must not hide the error that made it necessary. */
function discard(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing to remove, or nothing we can do
  }
}

function temporary(path: string, kind: 'tmp' | 'old'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${kind}`);
}

/** Append to a log file (metrics, validation); a failure names the file and, for a full disk, what to do. */
export function appendToFile(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    throw writeError(path, error);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = temporary(path, 'tmp');
  try {
    mkdirSync(dirname(path), { recursive: true });
    removeStaleTemporaries(dirname(path));
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    discard(tmp);
    throw writeError(path, error);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Fill a directory atomically: `fill` writes into a temporary sibling directory, which then replaces
 * `dir` (an existing `dir` is removed only after the new one is complete). If `fill` throws, the
 * temporary goes and `dir` is left as it was.
 */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
  const tmp = temporary(dir, 'tmp');
  const old = temporary(dir, 'old');
  try {
    mkdirSync(dirname(dir), { recursive: true });
    removeStaleTemporaries(dirname(dir));
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    fill(tmp);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (error) {
    discard(tmp);
    if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
    throw (error as NodeJS.ErrnoException).code ? writeError(dir, error) : error;
  }
  rmSync(old, { recursive: true, force: true });
}
