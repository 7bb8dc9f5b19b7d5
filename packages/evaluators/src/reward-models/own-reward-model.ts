// The project's own reward model (`spo train --stage rm`): a checkpoint folder with a score head.
import { loadRewardModel } from '@spo/model';
import { encodeSequence, loadTokenizer } from '@spo/data';
import type { RewardScorer } from './reward-scorer.js';

export function ownRewardScorer(dir: string, batchSize = 64): RewardScorer {
  const { model } = loadRewardModel(dir);
  const tokenizer = loadTokenizer(dir);
  return {
    label: `own reward model (${dir})`,
    score: async (prompts, responses) =>
      model.score(
        prompts.map((p, i) => encodeSequence(tokenizer, p, responses[i], model.lm.config.maxPositions).ids),
        tokenizer.padId,
        batchSize,
      ),
    dispose: () => model.dispose(),
  };
}
