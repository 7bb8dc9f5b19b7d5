// The held-out prompts an eval samples on (eval.prompts): the test prompts, or each validation pair's
// prompt once, in order, for tuning settings without looking at the test prompts. Each comes with what
// the task's oracle needs to score responses to it.
import type { EvalPrompt, PreferencePair, PreparedDataset } from '@spo/data';

export type HeldOutSplit = 'test' | 'validation';

export function heldOutPrompts(ds: PreparedDataset, split: HeldOutSplit = 'test'): EvalPrompt[] {
  if (split === 'test') return ds.eval;
  const seen = new Set<string>();
  const prompts: EvalPrompt[] = [];
  for (const p of ds.validation) {
    if (seen.has(p.prompt)) continue;
    seen.add(p.prompt);
    prompts.push({ prompt: p.prompt, ...(p.context === undefined ? {} : { context: p.context }) });
  }
  if (prompts.length === 0)
    throw new Error('eval.prompts "validation": the dataset has no validation pairs (raise data.validationPairs)');
  return prompts;
}

/** The labelled pairs of the same split: where eval.baseline "chosen" takes its responses. */
export function heldOutPairs(ds: PreparedDataset, split: HeldOutSplit = 'test'): PreferencePair[] {
  return split === 'test' ? ds.test : ds.validation;
}
