// The project's own reward model (`spo train --stage rm`): a checkpoint folder with a score head.
import { loadRewardModel } from '@spo/model';
import { loadTokenizer } from '@spo/data';
import { rewardScores } from '@spo/trainer';
import type { RewardScorer } from './reward-scorer.js';

export function ownRewardScorer(dir: string, batchSize = 64): RewardScorer {
  const { model } = loadRewardModel(dir);
  const tokenizer = loadTokenizer(dir);
  return {
    label: `own reward model (${dir})`,
    score: async (prompts, responses) => rewardScores(model, tokenizer, prompts, responses, batchSize),
    dispose: () => model.dispose(),
  };
}
