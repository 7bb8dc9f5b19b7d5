// What a run's eval writes into <run>/eval, and the typed reader the report uses: per prompt, the
// policy's and the baseline's samples and each evaluator's score of them (scores.json), plus a
// readable samples.jsonl. Scores are kept per prompt so the report can pair runs prompt by prompt.
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '@spo/engine';

export type ScoreEvaluator = 'oracle' | 'reward-model';
export const SCORE_EVALUATORS: readonly ScoreEvaluator[] = ['oracle', 'reward-model'];

export interface RunEval {
  /** Held-out prompts, in order; every array below is indexed like them. */
  prompts: number;
  /**
   * What the policy's samples are compared with: the SFT model's samples on the same sampling stream,
   * or the dataset's chosen responses.
   */
  baseline: 'sft' | 'chosen';
  /** The sampling stream's seed (the same for the policy and the SFT baseline, and for every run of the same seed). */
  samplingSeed: string;
  scores: Partial<Record<ScoreEvaluator, { policy: number[]; baseline: number[] }>>;
  /**
   * The LLM judge's verdict per prompt (1 policy, ½ tie, 0 baseline), when configured; `readable[i]` is
   * false where prompt i's verdict could not be read (its outcome is then ½ and counts nowhere). Files
   * written before `readable` existed counted unreadable verdicts as ties.
   */
  judge?: { outcomes: number[]; readable?: boolean[]; invalid: number; model: string; template: string };
  /** Where the run's job ran: the backend as the report's stamp names it, and the host (a cluster's node). */
  ranOn?: { backend: string; host: string };
  /** The reward model's label and held-out agreement, when one scored. */
  rewardModel?: {
    label: string;
    validation?: { n: number; accuracy: number; oracleAgreement?: number; oraclePairs?: number };
  };
}

export const runEvalDir = (runDir: string) => join(runDir, 'eval');

/** The judge's outcomes on the prompts whose verdicts could be read, in order. */
export function readableJudgeOutcomes(judge: NonNullable<RunEval['judge']>): number[] {
  const readable = judge.readable;
  return readable ? judge.outcomes.filter((_, i) => readable[i]) : judge.outcomes;
}

export function writeRunEval(
  dir: string,
  result: RunEval,
  samples: { prompt: string; policy: string; baseline: string }[],
): void {
  writeFileAtomic(
    join(dir, 'samples.jsonl'),
    samples
      .map((s, i) =>
        JSON.stringify({
          ...s,
          ...Object.fromEntries(
            Object.entries(result.scores).map(([e, x]) => [e, { policy: x.policy[i], baseline: x.baseline[i] }]),
          ),
          ...(result.judge ? { judge: result.judge.outcomes[i] } : {}),
        }),
      )
      .join('\n') + '\n',
  );
  writeJsonAtomic(join(dir, 'scores.json'), result);
}

export function readRunEval(runDir: string): RunEval {
  const path = join(runEvalDir(runDir), 'scores.json');
  const r = readJsonFile<RunEval>(path, `run that run's eval again (spo eval --run <name> --force)`);
  for (const [e, x] of Object.entries(r.scores ?? {})) {
    if (x.policy.length !== r.prompts || x.baseline.length !== r.prompts)
      throw new Error(
        `${path}: ${e} has ${x.policy.length} policy and ${x.baseline.length} ` +
          `baseline scores for ${r.prompts} prompts; run the eval again with --force`,
      );
  }
  return r;
}
