// The records every data source produces, before tokenisation.

export interface SftExample {
  prompt: string;
  response: string;
}

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** Oracle rewards, where the source has an oracle (synthetic tasks). */
  chosenReward?: number;
  rejectedReward?: number;
  /** What the oracle needs to score other responses to this prompt. */
  context?: unknown;
}

/** A prompt with several responses ranked best first (a pair is a list of two). */
export interface PreferenceList {
  prompt: string;
  responses: string[];
  /** Oracle rewards in the same order, where the source has an oracle. */
  rewards?: number[];
  context?: unknown;
}

/** A pair as a ranked list of two, so pairwise and list losses share one batching path. */
export function pairAsList(p: PreferencePair): PreferenceList {
  return { prompt: p.prompt, responses: [p.chosen, p.rejected], context: p.context };
}

export interface EvalPrompt {
  prompt: string;
  context?: unknown;
}
