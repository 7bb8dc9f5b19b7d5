// What the eval needs from a reward model, whichever kind: a scalar score per (prompt, response).
export interface RewardScorer {
  /** What the report calls it, e.g. "own reward model (runs/quickstart/rm/final)". */
  readonly label: string;
  score(prompts: readonly string[], responses: readonly string[]): Promise<Float32Array>;
  dispose(): void;
}
