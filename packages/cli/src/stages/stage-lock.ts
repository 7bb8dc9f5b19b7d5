// One process per stage: a lock file beside the stage's folder (`<dir>.lock`, created exclusively)
// holds the holder's pid, host and start time. A second process stops with a message naming the
// holder; a lock whose process is gone (same host, pid not running) is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { processAlive } from '@spo/engine';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
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
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      const stale = holder
        ? holder.host === me.host && !processAlive(holder.pid)
        : Date.now() - statSync(path).mtimeMs > UNREADABLE_LOCK_GRACE_MS;
      if (!stale) {
        throw new StageLockedError(holder
          ? `[${label}] ${dir} is being run by process ${holder.pid} on ${holder.host} since ${holder.startedAt}; wait for it to finish. If that process is gone (on another host, say), delete ${path}`
          : `[${label}] ${path} is being written by another process; try again in a few seconds`);
      }
      log(`[${label}] removing a stale lock ${path}${holder ? ` (process ${holder.pid} on ${holder.host}, started ${holder.startedAt}, is gone)` : ''}`);
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(me));
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
