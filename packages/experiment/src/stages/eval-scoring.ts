// Scoring a run's samples: by the synthetic task's oracle, by a reward model (the variant's own or an
// ONNX one), and by an LLM judge comparing the two samples of each prompt.
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { readJsonFile, RecentResults } from '@spo/engine';
import { syntheticTask, type EvalPrompt, type PreparedDataset } from '@spo/data';
import { judgeWinRate, loadJudgeTemplate, onnxRewardScorer, ownRewardScorer, type RewardScorer } from '@spo/evaluators';
import type { StageContext } from './context.js';
import type { RunPlan } from '../plan/plan.js';
import type { RunEval } from '../results/run-eval.js';

/** The baseline's reward-model scores by the reward model, the prompts and the samples (RecentResults). */
const baselineScores = new RecentResults<number[]>();

/** Where judgments are cached: eval.judge.cacheDir, else $SPO_CACHE_DIR/judge or .cache/spo/judge. */
const judgeCacheDir = (configured?: string) =>
  configured ?? join(process.env.SPO_CACHE_DIR ?? join('.cache', 'spo'), 'judge');

/** Which reward model scores: eval.rewardModel, else the experiment's own when it trains one. */
export function rewardModelSource(ctx: StageContext) {
  return ctx.config.eval.rewardModel ?? (ctx.config.rewardModel ? { kind: 'own' as const } : undefined);
}

export async function scoreRun(
  ctx: StageContext,
  run: RunPlan,
  ds: PreparedDataset,
  heldOut: EvalPrompt[],
  samples: { policy: string[]; baseline: string[] },
): Promise<Pick<RunEval, 'scores' | 'rewardModel'>> {
  const scores: RunEval['scores'] = {};
  const prompts = heldOut.map((e) => e.prompt);
  const v = run.variant;
  if (v.data.source === 'synthetic') {
    const task = syntheticTask(v.data.task);
    const oracle = (responses: string[]) => responses.map((r, i) => task.oracle(heldOut[i].context, r));
    scores.oracle = { policy: oracle(samples.policy), baseline: oracle(samples.baseline) };
  }
  const source = rewardModelSource(ctx);
  let rewardModel: RunEval['rewardModel'];
  if (source) {
    const rm: RewardScorer =
      source.kind === 'own' ? ownRewardScorer(join(v.dirs.rm!, 'final')) : await onnxRewardScorer(source.path, source);
    const scorer = source.kind === 'own' ? { own: v.hashes.rm } : source;
    try {
      const baseline = await baselineScores.getAsync({ scorer, prompts, samples: samples.baseline }, async () =>
        Array.from(await rm.score(prompts, samples.baseline)),
      );
      scores['reward-model'] = {
        policy: Array.from(await rm.score(prompts, samples.policy)),
        baseline: baseline.value,
      };
    } finally {
      rm.dispose();
    }
    const validationPath = source.kind === 'own' ? join(v.dirs.rm!, 'validation.json') : undefined;
    rewardModel = {
      label: rm.label,
      ...(validationPath && existsSync(validationPath)
        ? { validation: readJsonFile(validationPath, 'train the reward model again (--force)') }
        : {}),
    };
  }
  return { scores, rewardModel };
}

/**
 * The judge's verdicts on each prompt's two samples, written to <run>/eval/judgments.jsonl with the
 * order each was shown in.
 */
export async function judgeRun(
  ctx: StageContext,
  run: RunPlan,
  prompts: string[],
  samples: { policy: string[]; baseline: string[] },
  dir: string,
): Promise<RunEval['judge']> {
  const judge = ctx.config.eval.judge;
  if (!judge) return undefined;
  const { result, judgments } = await judgeWinRate({
    items: prompts.map((prompt, i) => ({ prompt, policy: samples.policy[i], baseline: samples.baseline[i] })),
    config: judge,
    template: loadJudgeTemplate(judge.template),
    cacheDir: judgeCacheDir(judge.cacheDir),
    seed: `${run.seed}/${run.name}`,
    resamples: ctx.config.eval.bootstrapResamples,
    log: ctx.log,
  });
  writeFileSync(
    join(dir, 'judgments.jsonl'),
    judgments.map((j, i) => JSON.stringify({ prompt: prompts[i], ...j })).join('\n') + '\n',
  );
  return {
    outcomes: judgments.map((j) => j.outcome),
    readable: judgments.map((j) => !j.invalid),
    invalid: result.invalid,
    model: judge.model,
    template: judge.template,
  };
}
