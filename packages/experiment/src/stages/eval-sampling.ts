// Sampling for a run's eval: the policy's and the baseline's response to every held-out prompt. The
// SFT baseline samples on the same random stream as the policy (the run's seed), so runs of the same
// seed see the same baseline samples and can be paired prompt by prompt.
import { join } from 'node:path';
import { loadCheckpoint } from '@spo/model';
import type { PreferencePair, PreparedDataset } from '@spo/data';
import { sampleResponses } from '@spo/evaluators';
import type { StageContext } from './context.js';
import type { RunPlan } from '../plan/plan.js';
import { heldOutPairs } from './held-out-prompts.js';

export const samplingSeed = (run: RunPlan) => `${run.seed}/eval`;

export function sampleCheckpoint(
  ctx: StageContext,
  label: string,
  checkpoint: string,
  ds: PreparedDataset,
  prompts: string[],
  seed: string,
): string[] {
  const { model } = loadCheckpoint(checkpoint, false);
  const started = performance.now();
  const responses = sampleResponses(model, ds.tokenizer, prompts, ctx.config.eval.sampling, seed);
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  const newTokens = responses.reduce((a, r) => a + ds.tokenizer.encode(r).length + 1, 0);
  ctx.log(
    `[${label}] ${responses.length} samples in ${seconds.toFixed(1)} s (${Math.round(newTokens / seconds)} tokens/s)`,
  );
  return responses;
}

export function sampleRun(
  ctx: StageContext,
  run: RunPlan,
  ds: PreparedDataset,
  prompts: string[],
): { policy: string[]; baseline: string[] } {
  const seed = samplingSeed(run);
  const policy = sampleCheckpoint(ctx, `${run.name}: policy`, join(run.dir, 'final'), ds, prompts, seed);
  const baseline =
    ctx.config.eval.baseline === 'sft'
      ? sampleCheckpoint(ctx, `${run.name}: sft baseline`, join(run.variant.dirs.sft, 'final'), ds, prompts, seed)
      : chosenResponses(heldOutPairs(ds, ctx.config.eval.prompts), prompts);
  return { policy, baseline };
}

/** The chosen response of each eval prompt's first pair in its split. */
function chosenResponses(pairs: PreferencePair[], prompts: string[]): string[] {
  const chosen = new Map<string, string>();
  for (const p of pairs) if (!chosen.has(p.prompt)) chosen.set(p.prompt, p.chosen);
  return prompts.map((prompt) => {
    const c = chosen.get(prompt);
    if (c === undefined)
      throw new Error(
        `eval.baseline "chosen": ` +
          `the eval prompt "${prompt.slice(0, 60)}" has no pair to take a chosen response from`,
      );
    return c;
  });
}
