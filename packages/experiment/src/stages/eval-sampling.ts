// Sampling for a run's eval: the policy's and the baseline's response to every held-out prompt. The
// SFT baseline samples on the same random stream as the policy (the run's seed), so runs of the same
// seed see the same baseline samples and can be paired prompt by prompt; a worker samples them once
// and keeps them for its next runs of that variant and seed (@spo/engine's RecentResults).
import { join } from 'node:path';
import { RecentResults } from '@spo/engine';
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

/** The SFT baseline's samples by everything they depend on. */
const baselineSamples = new RecentResults<string[]>();

export function sampleRun(
  ctx: StageContext,
  run: RunPlan,
  ds: PreparedDataset,
  prompts: string[],
): { policy: string[]; baseline: string[] } {
  const seed = samplingSeed(run);
  const policy = sampleCheckpoint(ctx, `${run.name}: policy`, join(run.dir, 'final'), ds, prompts, seed);
  if (ctx.config.eval.baseline !== 'sft')
    return { policy, baseline: chosenResponses(heldOutPairs(ds, ctx.config.eval.prompts), prompts) };
  const checkpoint = join(run.variant.dirs.sft, 'final');
  const baseline = baselineSamples.get(
    { sft: run.variant.hashes.sft, checkpoint, prompts, sampling: ctx.config.eval.sampling, seed },
    () => sampleCheckpoint(ctx, `${run.name}: sft baseline`, checkpoint, ds, prompts, seed),
  );
  if (baseline.kept)
    ctx.log(`[${run.name}: sft baseline] the samples this process drew for an earlier run of its variant and seed`);
  return { policy, baseline: baseline.value };
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
