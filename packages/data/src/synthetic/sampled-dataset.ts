// The splits of a task whose responses are a pretrained model's own samples (stories): the same
// records as build-dataset.ts, with every response drawn from the model in batches. Pairs are two
// samples for one prompt labelled by Bradley-Terry on the oracle with the noise temperature; ranked
// lists are ordered by Plackett-Luce; SFT demonstrations are the better of two samples by the oracle
// (rejection sampling). Identical or empty samples carry no preference and are drawn again.
import { Rng } from '@spo/engine';
import { plackettLuceOrder, sigmoid, type SyntheticDataset, type SyntheticSizes } from './build-dataset.js';
import type { ModelSampledTask, ResponseSampler, TaskPrompt } from './task.js';
import type { PreferenceList, PreferencePair } from '../records.js';

/** Up to this many rounds of redrawing prompts whose samples were identical or empty. */
const MAX_ROUNDS = 8;

export function buildSampledDataset(
  task: ModelSampledTask,
  sizes: SyntheticSizes,
  seed: number | string,
  sample: ResponseSampler,
): SyntheticDataset {
  const root = new Rng(`${seed}/${task.name}`);
  const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => task.samplePrompt(rng));
  const usable = (responses: string[]) =>
    responses.every((r) => r.trim() !== '') && new Set(responses).size === responses.length;

  /** `width` distinct non-empty samples for each of n prompts, drawing new prompts for failures. */
  const groups = (label: string, n: number, width: number): { prompt: TaskPrompt; responses: string[] }[] => {
    const rng = root.fork(label);
    const out: { prompt: TaskPrompt; responses: string[] }[] = [];
    for (let round = 0; out.length < n; round++) {
      if (round === MAX_ROUNDS)
        throw new Error(
          `${task.name}: after ${MAX_ROUNDS} rounds only ${out.length} of ${n} ${label} prompts got ` +
            `${width} distinct non-empty samples; raise the sampling temperature or data.maxResponseTokens`,
        );
      const prompts = draw(rng, n - out.length);
      const columns = Array.from({ length: width }, (_, j) =>
        sample(
          prompts.map((p) => p.prompt),
          `${label}/${round}/${j}`,
        ),
      );
      prompts.forEach((prompt, i) => {
        const responses = columns.map((c) => c[i]);
        if (usable(responses)) out.push({ prompt, responses });
      });
    }
    return out;
  };

  const labelled = (label: string, n: number): PreferencePair[] => {
    const rng = root.fork(`${label}/labels`);
    return groups(label, n, 2).map(({ prompt, responses: [a, b] }) => {
      const ra = task.oracle(prompt.context, a),
        rb = task.oracle(prompt.context, b);
      const aWins = rng.bernoulli(sigmoid((ra - rb) / sizes.labelTemperature));
      return {
        prompt: prompt.prompt,
        chosen: aWins ? a : b,
        rejected: aWins ? b : a,
        chosenReward: aWins ? ra : rb,
        rejectedReward: aWins ? rb : ra,
        context: prompt.context,
      };
    });
  };

  const sft = groups('sft', sizes.sftExamples, 2).map(({ prompt, responses }) => {
    const rewards = responses.map((r) => task.oracle(prompt.context, r));
    return { prompt: prompt.prompt, response: responses[rewards[1] > rewards[0] ? 1 : 0] };
  });
  const preferences = labelled('preferences', sizes.preferencePairs);
  const listRng = root.fork('lists/order');
  const lists: PreferenceList[] =
    sizes.preferenceLists === 0
      ? []
      : groups('lists', sizes.preferenceLists, sizes.listSize).map(({ prompt, responses }) => {
          const rewards = responses.map((r) => task.oracle(prompt.context, r));
          const order = plackettLuceOrder(rewards, sizes.labelTemperature, listRng);
          return {
            prompt: prompt.prompt,
            responses: order.map((i) => responses[i]),
            rewards: order.map((i) => rewards[i]),
            context: prompt.context,
          };
        });
  const evalPrompts = draw(root.fork('eval'), sizes.evalPrompts).map((p) => ({ prompt: p.prompt, context: p.context }));
  return { sft, preferences, lists, eval: evalPrompts, validation: labelled('validation', sizes.validationPairs) };
}
