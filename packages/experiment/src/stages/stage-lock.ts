// One process per stage: a lock file beside the stage's folder (`<dir>.lock`, created exclusively)
// holds the holder's pid, host and start time, and the process's own start time as the OS records it.
// A second process stops with a message naming the holder; a lock whose process is gone (same host,
// pid not running, or running but started at another time: a later process given the same pid) is
// stale and taken over. A lock that cannot be written (a full disk) is removed, never left empty.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { processAlive, processStartTime, writeError } from '@spo/engine';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /**
   * processStartTime(pid) when the lock was taken; a process with this pid and another start time is not the holder.
   */
  processStart?: string;
}

/** Whether the lock's holder still runs: same host, its pid alive, and (where the OS tells) the same process. */
function holderRuns(h: LockHolder): boolean {
  if (!processAlive(h.pid)) return false;
  const now = processStartTime(h.pid);
  return h.processStart === undefined || now === undefined || now === h.processStart;
}

/** An empty or unreadable lock younger than this may be one being written right now. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

export class StageLockedError extends Error {}

/** Take the lock of the stage whose folder is `dir`; returns its release. */
export function acquireStageLock(dir: string, label: string, log: (line: string) => void): () => void {
  const path = `${dir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const processStart = processStartTime(process.pid);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(processStart ? { processStart } : {}),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(path, error);
      const holder = readHolder(path);
      const stale = holder
        ? holder.host === me.host && !holderRuns(holder)
        : Date.now() - statSync(path).mtimeMs > UNREADABLE_LOCK_GRACE_MS;
      if (!stale) {
        throw new StageLockedError(
          holder
            ? `[${label}] ${dir} is being run by process ${holder.pid} on ${holder.host} since ` +
                `${holder.startedAt}; wait for it to finish. ` +
                `If that process is gone (on another host, say), delete ${path}`
            : `[${label}] ${path} is being written by another process; try again in a few seconds`,
        );
      }
      log(
        `[${label}] removing a stale lock ${path}` +
          (holder
            ? ` (process ${holder.pid} on ${holder.host}, started ${holder.startedAt}, is gone` +
              (processAlive(holder.pid) ? '; its pid now belongs to another process' : '') +
              ')'
            : ''),
      );
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } catch (error) {
      closeSync(fd);
      rmSync(path, { force: true }); // an empty lock would block the next run
      throw writeError(path, error);
    }
    closeSync(fd);
    const release = () => {
      if (readHolder(path)?.pid === me.pid) rmSync(path, { force: true });
      process.off('exit', release);
    };
    process.on('exit', release);
    return release;
  }
  throw new StageLockedError(`[${label}] could not take ${path}: other processes keep taking it`);
}
