// The embedded default: generated tasks with a known oracle reward, so alignment can be measured
// exactly on a 2-core machine. Each task makes prompts, mixed-quality responses (the "crowd" that
// writes demonstrations and preference candidates), and scores any response text with its oracle.
import type { Rng } from '@spo/engine';

export interface TaskPrompt<C = unknown> {
  prompt: string;
  /** What the oracle needs to score a response to this prompt (the facts, the request). */
  context: C;
}

export interface SyntheticTask<C = unknown> {
  readonly name: string;
  samplePrompt(rng: Rng): TaskPrompt<C>;
  /** One response of mixed quality, as a crowd of writers would give. */
  sampleResponse(prompt: TaskPrompt<C>, rng: Rng): string;
  /** The oracle's reward for `response` (higher is better). */
  oracle(context: C, response: string): number;
  /** Every word the task's prompts and responses can contain. */
  vocabulary(): string[];
}

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
