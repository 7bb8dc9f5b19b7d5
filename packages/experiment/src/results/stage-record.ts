// stage.json and done.json, the two records of a stage's folder: the config hash it was started with,
// and, once it finished, that hash with the time and the stage's summary. Written by the stages
// (stages/stage-dir.ts), read by them and by the results (a run counts when its eval stage is done).
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from '@spo/engine';

/** A stage's folder and the hash of everything its numbers depend on. */
export interface StageDir {
  dir: string;
  hash: string;
}

function readHash(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const hash = readJsonFile<{ hash?: unknown }>(path, `delete ${dirname(path)} to run that stage again`).hash;
  if (typeof hash !== 'string')
    throw new Error(`${path}: damaged, it has no "hash"; delete ${dirname(path)} to run that stage again`);
  return hash;
}

/** The hash the folder was started with (stage.json), if it was. */
export const startedHash = (dir: string) => readHash(join(dir, 'stage.json'));

/** The hash the folder finished under (done.json), if it finished. */
export const finishedHash = (dir: string) => readHash(join(dir, 'done.json'));

export function isStageDone({ dir, hash }: StageDir): boolean {
  return finishedHash(dir) === hash;
}

/** Record a (re)start under `hash`: any earlier done.json goes. */
export function writeStageStarted({ dir, hash }: StageDir): void {
  rmSync(join(dir, 'done.json'), { force: true });
  writeJsonAtomic(join(dir, 'stage.json'), { hash });
}

export function writeStageDone({ dir, hash }: StageDir, summary: unknown): void {
  writeJsonAtomic(join(dir, 'done.json'), { hash, finishedAt: new Date().toISOString(), summary });
}
