// A reward model's score of many (prompt, response) pairs without gradients, batched.
import type { RewardModel } from '@spo/model';
import { encodeSequence, type TextTokenizer } from '@spo/data';

export function rewardScores(
  rm: RewardModel,
  tokenizer: TextTokenizer,
  prompts: readonly string[],
  responses: readonly string[],
  batchSize = 64,
): Float32Array {
  if (prompts.length !== responses.length)
    throw new Error(`rewardScores: ${prompts.length} prompts vs ${responses.length} responses`);
  return rm.score(
    prompts.map((p, i) => encodeSequence(tokenizer, p, responses[i], rm.lm.config.maxPositions).ids),
    tokenizer.padId,
    batchSize,
  );
}

/**
 * How a reward model orders held-out pairs: agreement with the labels and, where the pairs carry
 * oracle rewards, with the oracle.
 */
export interface PairAgreement {
  n: number;
  /** Share of pairs where the chosen response scores higher (a tie counts ½). */
  accuracy: number;
  /** Same against the oracle's order, over pairs whose oracle rewards differ; absent without an oracle. */
  oracleAgreement?: number;
  oraclePairs?: number;
  meanMargin: number;
}

export function pairAgreement(
  chosen: Float32Array,
  rejected: Float32Array,
  oracle?: { chosen: number; rejected: number }[],
): PairAgreement {
  const order = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
  const n = chosen.length;
  let accuracy = 0,
    margin = 0,
    agree = 0,
    oraclePairs = 0;
  for (let i = 0; i < n; i++) {
    accuracy += order(chosen[i], rejected[i]);
    margin += chosen[i] - rejected[i];
    const o = oracle?.[i];
    if (o && o.chosen !== o.rejected) {
      oraclePairs++;
      agree += o.chosen > o.rejected ? order(chosen[i], rejected[i]) : order(rejected[i], chosen[i]);
    }
  }
  return {
    n,
    accuracy: accuracy / n,
    meanMargin: margin / n,
    ...(oracle ? { oracleAgreement: oraclePairs > 0 ? agree / oraclePairs : Number.NaN, oraclePairs } : {}),
  };
}
