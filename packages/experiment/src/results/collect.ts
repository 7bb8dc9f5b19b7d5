// Everything the report reads about each run, through the typed readers kept beside their writers:
// its eval (per-prompt scores, results/run-eval.ts), its training summary (@spo/trainer's
// train-summary.ts) and its degree confusion (@spo/spo's degree-confusion.ts). Each file is read here
// once; runs not run yet are listed, never guessed.
import { readTrainSummary } from '@spo/trainer';
import { readDegreeConfusion, type DegreeConfusion } from '@spo/spo';
import { isStageDone } from './stage-record.js';
import { readRunEval, runEvalDir, type RunEval } from './run-eval.js';
import type { ExperimentPlan, RunPlan } from '../plan/plan.js';

export interface RunResult {
  run: RunPlan;
  eval: RunEval;
  train: { steps: number; tokensPerSecond: number };
  /** The final model's confusion between degree levels (SPO runs). */
  degreeConfusion?: DegreeConfusion;
  /** The final model's degree-level accuracy (SPO runs). */
  degreeAccuracy?: number;
  /** An SPO run none of whose responses had two distinct non-empty levels: its degree term never ran. */
  noDegreeGroups?: boolean;
}

export function collectResults(plan: ExperimentPlan): { results: RunResult[]; missing: RunPlan[] } {
  const results: RunResult[] = [],
    missing: RunPlan[] = [];
  for (const run of plan.runs) {
    if (!isStageDone({ dir: runEvalDir(run.dir), hash: run.hashes.eval })) {
      missing.push(run);
      continue;
    }
    const advice = `retrain ${run.sameAs ?? run.name} with --force`;
    const train = readTrainSummary(run.dir, advice);
    const confusion = readDegreeConfusion(run.dir, advice);
    results.push({
      run,
      eval: readRunEval(run.dir),
      train: { steps: train.steps, tokensPerSecond: train.tokensPerSecond },
      ...(confusion ? { degreeConfusion: confusion } : {}),
      // a run whose responses had no degree group (every level empty or repeated) has no degree accuracy
      ...(confusion && confusion.groups > 0 && confusion.accuracy !== null
        ? { degreeAccuracy: confusion.accuracy }
        : {}),
      ...(confusion && confusion.groups === 0 ? { noDegreeGroups: true } : {}),
    });
  }
  return { results, missing };
}
