// Build the splits of a synthetic task: SFT demonstrations, preference pairs labelled by
// Bradley-Terry on the oracle rewards with a noise temperature, ranked lists ordered by Plackett-Luce
// with the same temperature (Bradley-Terry's generalisation), held-out evaluation prompts, and held-out
// labelled pairs for validating a reward model.
import { Rng } from '@spo/engine';
import type { CrowdTask } from './task.js';
import type { EvalPrompt, PreferenceList, PreferencePair, SftExample } from '../records.js';

export interface SyntheticSizes {
  sftExamples: number;
  preferencePairs: number;
  /** Held-out labelled pairs (a reward model's validation set). */
  validationPairs: number;
  evalPrompts: number;
  /** Ranked lists of `listSize` responses (for list losses); 0 builds none. */
  preferenceLists: number;
  listSize: number;
  /** Bradley-Terry temperature τ: P(a ≻ b) = σ((r(a) − r(b)) / τ). Smaller is less noisy. */
  labelTemperature: number;
}

export interface SyntheticDataset {
  sft: SftExample[];
  preferences: PreferencePair[];
  lists: PreferenceList[];
  eval: EvalPrompt[];
  validation: PreferencePair[];
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function buildSyntheticDataset(task: CrowdTask, sizes: SyntheticSizes, seed: number | string): SyntheticDataset {
  const root = new Rng(`${seed}/${task.name}`);
  const sftRng = root.fork('sft'),
    prefRng = root.fork('preferences'),
    listRng = root.fork('lists'),
    evalRng = root.fork('eval');
  const validationRng = root.fork('validation');
  const sft: SftExample[] = [];
  for (let i = 0; i < sizes.sftExamples; i++) {
    const p = task.samplePrompt(sftRng);
    sft.push({ prompt: p.prompt, response: task.sampleResponse(p, sftRng) });
  }
  const labelledPairs = (n: number, rng: Rng): PreferencePair[] => {
    const pairs: PreferencePair[] = [];
    while (pairs.length < n) {
      const pair = labelledPair(task, rng, sizes.labelTemperature);
      if (pair) pairs.push(pair);
    }
    return pairs;
  };
  const preferences = labelledPairs(sizes.preferencePairs, prefRng);
  const lists: PreferenceList[] = [];
  while (lists.length < sizes.preferenceLists) {
    const p = task.samplePrompt(listRng);
    const responses = [
      ...new Set(Array.from({ length: sizes.listSize * 3 }, () => task.sampleResponse(p, listRng))),
    ].slice(0, sizes.listSize);
    if (responses.length < sizes.listSize) continue; // too few distinct responses to rank
    const rewards = responses.map((r) => task.oracle(p.context, r));
    const order = plackettLuceOrder(rewards, sizes.labelTemperature, listRng);
    lists.push({
      prompt: p.prompt,
      responses: order.map((i) => responses[i]),
      rewards: order.map((i) => rewards[i]),
      context: p.context,
    });
  }
  const evalPrompts: EvalPrompt[] = [];
  for (let i = 0; i < sizes.evalPrompts; i++) {
    const p = task.samplePrompt(evalRng);
    evalPrompts.push({ prompt: p.prompt, context: p.context });
  }
  return {
    sft,
    preferences,
    lists,
    eval: evalPrompts,
    validation: labelledPairs(sizes.validationPairs, validationRng),
  };
}

/** Two responses to one prompt, labelled by Bradley-Terry on the oracle; undefined when they are identical. */
function labelledPair(task: CrowdTask, rng: Rng, temperature: number): PreferencePair | undefined {
  const p = task.samplePrompt(rng);
  const a = task.sampleResponse(p, rng);
  const b = task.sampleResponse(p, rng);
  if (a === b) return undefined; // an identical pair carries no preference
  const ra = task.oracle(p.context, a),
    rb = task.oracle(p.context, b);
  const aWins = rng.bernoulli(sigmoid((ra - rb) / temperature));
  return {
    prompt: p.prompt,
    chosen: aWins ? a : b,
    rejected: aWins ? b : a,
    chosenReward: aWins ? ra : rb,
    rejectedReward: aWins ? rb : ra,
    context: p.context,
  };
}

/** A ranking drawn from Plackett-Luce: the next place goes to item i with probability ∝ exp(r_i / τ). */
export function plackettLuceOrder(rewards: readonly number[], temperature: number, rng: Rng): number[] {
  const left = rewards.map((_, i) => i),
    order: number[] = [];
  while (left.length > 0) {
    const top = Math.max(...left.map((i) => rewards[i]));
    const weights = left.map((i) => Math.exp((rewards[i] - top) / temperature));
    let u = rng.next() * weights.reduce((a, b) => a + b, 0),
      pick = 0;
    while (pick < left.length - 1 && (u -= weights[pick]) > 0) pick++;
    order.push(left.splice(pick, 1)[0]);
  }
  return order;
}
