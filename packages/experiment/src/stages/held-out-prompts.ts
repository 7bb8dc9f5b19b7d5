// The held-out prompts an eval samples on (eval.prompts): the test prompts, or the validation pairs'
// prompts, for tuning settings on a draw the test never sees. Each comes with what the task's oracle
// needs to score responses to it.
import type { EvalPrompt, PreferencePair, PreparedDataset } from '@spo/data';

export type HeldOutSplit = 'test' | 'validation';

export function heldOutPrompts(ds: PreparedDataset, split: HeldOutSplit = 'test'): EvalPrompt[] {
  if (split === 'test') return ds.eval;
  // every pair's prompt, repeats included, as the test prompts are drawn: a task with few distinct
  // prompts (dialogue has 12) is scored on many samples of each
  if (ds.validation.length === 0)
    throw new Error('eval.prompts "validation": the dataset has no validation pairs (raise data.validationPairs)');
  return ds.validation.map((p) => ({ prompt: p.prompt, ...(p.context === undefined ? {} : { context: p.context }) }));
}

/** The labelled pairs of the same split: where eval.baseline "chosen" takes its responses. */
export function heldOutPairs(ds: PreparedDataset, split: HeldOutSplit = 'test'): PreferencePair[] {
  return split === 'test' ? ds.test : ds.validation;
}
