// Build the three splits of a synthetic task: SFT demonstrations, preference pairs labelled by
// Bradley-Terry on the oracle rewards with a noise temperature, and held-out evaluation prompts.
import { Rng } from '@spo/engine';
import type { SyntheticTask } from './task.js';
import type { EvalPrompt, PreferencePair, SftExample } from '../records.js';

export interface SyntheticSizes {
  sftExamples: number;
  preferencePairs: number;
  evalPrompts: number;
  /** Bradley-Terry temperature τ: P(a ≻ b) = σ((r(a) − r(b)) / τ). Smaller is less noisy. */
  labelTemperature: number;
}

export interface SyntheticDataset {
  sft: SftExample[];
  preferences: PreferencePair[];
  eval: EvalPrompt[];
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function buildSyntheticDataset(task: SyntheticTask, sizes: SyntheticSizes, seed: number | string): SyntheticDataset {
  const root = new Rng(`${seed}/${task.name}`);
  const sftRng = root.fork('sft'), prefRng = root.fork('preferences'), evalRng = root.fork('eval');
  const sft: SftExample[] = [];
  for (let i = 0; i < sizes.sftExamples; i++) {
    const p = task.samplePrompt(sftRng);
    sft.push({ prompt: p.prompt, response: task.sampleResponse(p, sftRng) });
  }
  const preferences: PreferencePair[] = [];
  while (preferences.length < sizes.preferencePairs) {
    const p = task.samplePrompt(prefRng);
    const a = task.sampleResponse(p, prefRng);
    const b = task.sampleResponse(p, prefRng);
    if (a === b) continue; // an identical pair carries no preference
    const ra = task.oracle(p.context, a), rb = task.oracle(p.context, b);
    const aWins = prefRng.bernoulli(sigmoid((ra - rb) / sizes.labelTemperature));
    preferences.push({
      prompt: p.prompt,
      chosen: aWins ? a : b,
      rejected: aWins ? b : a,
      chosenReward: aWins ? ra : rb,
      rejectedReward: aWins ? rb : ra,
      context: p.context,
    });
  }
  const evalPrompts: EvalPrompt[] = [];
  for (let i = 0; i < sizes.evalPrompts; i++) {
    const p = task.samplePrompt(evalRng);
    evalPrompts.push({ prompt: p.prompt, context: p.context });
  }
  return { sft, preferences, eval: evalPrompts };
}
