// A run's eval stage: sample the policy and the baseline on the held-out prompts (sampling.ts), score
// both by every evaluator the experiment has (scoring.ts), and write the per-prompt scores the report
// pairs and aggregates (run-eval-files.ts). The log gives the run's win rate against the baseline.
import { contextLength } from './starting-model.js';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { tf } from '@spo/engine';
import { readPreparedDataset, type PreparedDataset } from '@spo/data';
import { winRate } from '@spo/evaluators';
import { runStage } from './stage-dir.js';
import type { StageDir } from '../results/stage-record.js';
import type { StageContext } from './context.js';
import type { RunPlan } from '../plan/plan.js';
import { sampleRun, samplingSeed } from './eval-sampling.js';
import { heldOutPrompts } from './held-out-prompts.js';
import { judgeRun, rewardModelSource, scoreRun } from './eval-scoring.js';
import { readableJudgeOutcomes, runEvalDir, writeRunEval, type RunEval } from '../results/run-eval.js';

export async function evalRunStage(ctx: StageContext, run: RunPlan): Promise<void> {
  if (run.sameAs !== undefined) return;
  const v = run.variant;
  const suffix = v.id ? `-${v.id}` : '';
  const requires: [StageDir, string][] = [
    [{ dir: v.dirs.sft, hash: v.hashes.sft }, `sft${suffix}`],
    [{ dir: run.dir, hash: run.hashes.train }, run.name],
  ];
  if (rewardModelSource(ctx)?.kind === 'own')
    requires.push([{ dir: v.dirs.rm!, hash: v.hashes.rm! }, `train-rm${suffix}`]);
  const dir = runEvalDir(run.dir);
  await runStage(
    { label: `${run.name} eval`, stage: { dir, hash: run.hashes.eval }, requires, force: ctx.force, log: ctx.log },
    async () => {
      const ds = readPreparedDataset(join(v.dirs.data, 'dataset'));
      const heldOut = heldOutPrompts(ds, ctx.config.eval.prompts);
      const prompts = heldOut.map((e) => e.prompt);
      checkSamplingFits(ctx, ds, prompts);
      const samples = sampleRun(ctx, run, ds, prompts);
      const { scores, rewardModel } = await scoreRun(ctx, run, ds, heldOut, samples);
      const judge = await judgeRun(ctx, run, prompts, samples, dir);
      const result: RunEval = {
        prompts: prompts.length,
        baseline: ctx.config.eval.baseline,
        samplingSeed: samplingSeed(run),
        ranOn: { backend: `${ctx.backend.name} (matmul: ${ctx.backend.matmul})`, host: hostname() },
        scores,
        ...(judge ? { judge } : {}),
        ...(rewardModel ? { rewardModel } : {}),
      };
      writeRunEval(
        dir,
        result,
        prompts.map((prompt, i) => ({ prompt, policy: samples.policy[i], baseline: samples.baseline[i] })),
      );
      const summary: Record<string, number> = {};
      for (const [e, x] of Object.entries(scores))
        summary[e] = winRate(
          x.policy,
          x.baseline,
          ctx.config.eval.bootstrapResamples,
          `${run.seed}/${run.name}`,
        ).winRate;
      if (judge) {
        const readable = readableJudgeOutcomes(judge);
        summary.judge = readable.length ? readable.reduce((a, b) => a + b, 0) / readable.length : Number.NaN;
      }
      ctx.log(
        `[${run.name}] win rate vs ${result.baseline}: ${Object.entries(summary)
          .map(([e, w]) => `${e} ${Number.isNaN(w) ? 'no readable verdict' : `${(100 * w).toFixed(1)}%`}`)
          .join(', ')}`,
      );
      tf.disposeVariables();
      return { prompts: prompts.length, winRates: summary };
    },
  );
}

function checkSamplingFits(ctx: StageContext, ds: PreparedDataset, prompts: string[]): void {
  const longestPrompt = Math.max(...prompts.map((p) => ds.tokenizer.encode(p).length + 1));
  const { maxNewTokens } = ctx.config.eval.sampling;
  const context = contextLength(ctx.config.model);
  if (longestPrompt + maxNewTokens > context) {
    throw new Error(
      `${ctx.configPath}: the longest eval prompt has ${longestPrompt} tokens, ` +
        `so eval.sampling.maxNewTokens (${maxNewTokens}) must be at most ${context - longestPrompt}, ` +
        `or the model's context (${context}) must be at least ${longestPrompt + maxNewTokens}`,
    );
  }
}
