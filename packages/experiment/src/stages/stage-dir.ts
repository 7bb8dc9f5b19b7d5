// A stage's folder is keyed by its config hash: stage.json records the hash it was started with and
// done.json marks it finished. runStage runs one stage under its lock: a finished stage with the same
// hash is skipped (unless forced); a folder made under another hash is moved aside, never deleted,
// and moved back if that hash is asked for again; an unfinished one with the same hash resumes from
// its checkpoints.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checksumProblems, removeStaleTemporaries } from '@spo/engine';
import {
  finishedHash,
  isStageDone,
  startedHash,
  writeStageDone,
  writeStageStarted,
  type StageDir,
} from '../results/stage-record.js';
import { acquireStageLock } from './stage-lock.js';

/** What is wrong with a done stage's final model (final/, checked against its checksums), if it has one. */
function finalModelProblems(dir: string): string[] {
  const final = join(dir, 'final');
  return existsSync(final) ? checksumProblems(final).map((p) => `final/${p}`) : [];
}

/** Where a stage's folder made under `hash` is kept once another config's run needs the place. */
export function supersededDir(dir: string, hash: string): string {
  return join(dirname(dir), '.superseded', `${basename(dir)}-${hash}`);
}

function moveAside(dir: string, hash: string, log: (line: string) => void, why: string): void {
  const aside = supersededDir(dir, hash);
  rmSync(aside, { recursive: true, force: true });
  mkdirSync(dirname(aside), { recursive: true });
  renameSync(dir, aside);
  log(`[stage] ${dir} ${why}; moved it to ${aside} (delete it when you no longer need it)`);
}

/**
 * Put the folder made under `hash` in place: one made under another hash is moved aside, and one kept
 * aside under `hash` (from an earlier run of this config) is moved back.
 */
function placeStage({ dir, hash }: StageDir, log: (line: string) => void): void {
  const started = existsSync(dir) ? startedHash(dir) : undefined;
  if (started !== undefined && started !== hash)
    moveAside(dir, started, log, `was made with another config (${started})`);
  if (!existsSync(dir) && existsSync(supersededDir(dir, hash))) {
    renameSync(supersededDir(dir, hash), dir);
    log(`[stage] ${dir}: restored the run made earlier with this config (${hash})`);
  }
}

/** Make the folder ready for a (re)start under `hash`. */
function openStage(stage: StageDir): void {
  mkdirSync(stage.dir, { recursive: true });
  removeStaleTemporaries(stage.dir);
  writeStageStarted(stage);
}

/** Throws, naming the target to run, unless the stage finished under `hash`. */
export function requireDone({ dir, hash }: StageDir, target: string): void {
  if (finishedHash(dir) !== hash) {
    throw new Error(`${dir} is missing or was made with another config; run the "${target}" stage first`);
  }
}

export interface StageRun {
  /** Label for logs ("sft", "dpo-spo"). */
  label: string;
  stage: StageDir;
  /** Upstream stages that must be done, each with the target that makes it. */
  requires?: [StageDir, string][];
  /** Retrain even if done; the finished folder is moved aside first. */
  force?: boolean;
  log: (line: string) => void;
}

/** Run `body` as the stage (skipping it when done), under the stage's lock; done.json records its summary. */
export async function runStage(run: StageRun, body: () => unknown | Promise<unknown>): Promise<void> {
  const { stage, label, log } = run;
  const release = acquireStageLock(stage.dir, label, log);
  try {
    placeStage(stage, log);
    if (!run.force && isStageDone(stage)) {
      const damaged = finalModelProblems(stage.dir);
      if (!damaged.length) return log(`[${label}] ${stage.dir} is up to date (${stage.hash})`);
      moveAside(
        stage.dir,
        `${stage.hash}-damaged`,
        log,
        `is done but its final model is damaged (${damaged.join('; ')}), so it runs again`,
      );
    }
    for (const [upstream, target] of run.requires ?? []) requireDone(upstream, target);
    if (run.force && existsSync(stage.dir)) moveAside(stage.dir, stage.hash, log, 'is retrained (--force)');
    openStage(stage);
    writeStageDone(stage, await body());
  } finally {
    release();
  }
}
