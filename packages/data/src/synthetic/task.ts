// The embedded default: generated tasks with a known oracle reward, so alignment can be measured
// exactly on a 2-core machine. Each task makes prompts, mixed-quality responses (the "crowd" that
// writes demonstrations and preference candidates), and scores any response text with its oracle.
import type { Rng } from '@spo/engine';

export interface TaskPrompt<C = unknown> {
  prompt: string;
  /** What the oracle needs to score a response to this prompt (the facts, the request). */
  context: C;
}

interface TaskBase<C> {
  readonly name: string;
  samplePrompt(rng: Rng): TaskPrompt<C>;
  /** The oracle's reward for `response` (higher is better). */
  oracle(context: C, response: string): number;
}

/** A task that writes its own responses and has its own word-level vocabulary (trained from scratch). */
export interface CrowdTask<C = unknown> extends TaskBase<C> {
  readonly responses?: 'crowd';
  /** One response of mixed quality, as a crowd of writers would give. */
  sampleResponse(prompt: TaskPrompt<C>, rng: Rng): string;
  /** Every word the task's prompts and responses can contain. */
  vocabulary(): string[];
}

/** A task whose responses are a pretrained model's samples (model.from), in that model's tokenizer. */
export interface ModelSampledTask<C = unknown> extends TaskBase<C> {
  readonly responses: 'model';
}

export type SyntheticTask<C = unknown> = CrowdTask<C> | ModelSampledTask<C>;

/** Responses to prompts, one per prompt, from a model; `purpose` names the random stream ("preferences/a"). */
export type ResponseSampler = (prompts: readonly string[], purpose: string) => string[];

/** Split a response into sentences on "." tokens; each sentence is a list of words. */
export function sentences(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (w === '.') {
      if (current.length) out.push(current);
      current = [];
    } else current.push(w);
  }
  if (current.length) out.push(current);
  return out;
}
