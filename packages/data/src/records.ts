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

export interface EvalPrompt {
  prompt: string;
  context?: unknown;
}

/** A response with part of its key content deleted; level 0 is the response itself. */
export interface DegreeVariant {
  level: number;
  text: string;
  removed: string[];
}
