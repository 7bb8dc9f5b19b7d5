// A stage's folder is keyed by its config hash: stage.json records the hash it was started with and
// done.json marks it finished. A finished stage with the same hash is skipped; a folder started with
// another hash is stale and is cleared; an unfinished one with the same hash resumes from its checkpoints.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '@spo/engine';

export interface StageDir {
  dir: string;
  hash: string;
}

function readHash(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, 'utf8')) as { hash?: string }).hash;
}

export function isStageDone({ dir, hash }: StageDir): boolean {
  return readHash(join(dir, 'done.json')) === hash;
}

/** Make the folder ready for a (re)start under `hash`. */
export function openStage({ dir, hash }: StageDir, log: (line: string) => void): void {
  const started = readHash(join(dir, 'stage.json'));
  if (started !== undefined && started !== hash) {
    log(`[stage] ${dir} was made with another config (${started}); clearing it for ${hash}`);
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(join(dir, 'done.json'), { force: true });
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, 'stage.json'), { hash });
}

export function closeStage({ dir, hash }: StageDir, summary: unknown): void {
  writeJsonAtomic(join(dir, 'done.json'), { hash, finishedAt: new Date().toISOString(), summary });
}

/** Throws, naming the target to run, unless the stage finished under `hash`. */
export function requireDone({ dir, hash }: StageDir, target: string): void {
  if (readHash(join(dir, 'done.json')) !== hash) {
    throw new Error(`${dir} is missing or was made with another config; run the "${target}" stage first`);
  }
}
