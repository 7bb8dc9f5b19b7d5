// Everything the report reads about each run, through the typed readers kept beside their writers:
// its eval (per-prompt scores), its training summary and its degree confusion. Runs not run yet are
// listed, never guessed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '@spo/engine';
import { isStageDone } from '../stages/stage-dir.js';
import { readRunEval, runEvalDir, type RunEval } from '../evaluation/run-eval-files.js';
import type { ExperimentPlan, RunPlan } from '../experiment/plan.js';

export interface RunResult {
  run: RunPlan;
  eval: RunEval;
  train: { steps: number; tokensPerSecond: number };
  /** The final model's degree-level accuracy (SPO runs). */
  degreeAccuracy?: number;
  /** An SPO run none of whose responses had two distinct non-empty levels: its degree term never ran. */
  noDegreeGroups?: boolean;
}

export function collectResults(plan: ExperimentPlan): { results: RunResult[]; missing: RunPlan[] } {
  const results: RunResult[] = [], missing: RunPlan[] = [];
  for (const run of plan.runs) {
    if (!isStageDone({ dir: runEvalDir(run.dir), hash: run.hashes.eval })) {
      missing.push(run);
      continue;
    }
    const train = readJsonFile<{ steps: number; tokensPerSecond: number }>(join(run.dir, 'train-summary.json'), `retrain ${run.sameAs ?? run.name} with --force`);
    const confusionPath = join(run.dir, 'degree-confusion.json');
    const confusion = existsSync(confusionPath) ? readJsonFile<{ accuracy: number | null; groups: number }>(confusionPath, `retrain ${run.sameAs ?? run.name} with --force`) : undefined;
    results.push({
      run, eval: readRunEval(run.dir), train: { steps: train.steps, tokensPerSecond: train.tokensPerSecond },
      // a run whose responses had no degree group (every level empty or repeated) has no degree accuracy
      ...(confusion && confusion.groups > 0 && confusion.accuracy !== null ? { degreeAccuracy: confusion.accuracy } : {}),
      ...(confusion && confusion.groups === 0 ? { noDegreeGroups: true } : {}),
    });
  }
  return { results, missing };
}
