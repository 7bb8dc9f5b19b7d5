// Win rate of a policy's responses against a baseline's on the same prompts: a win counts 1,
// a tie ½, a loss 0, with a bootstrap interval over prompts and the mean score difference.
import { bootstrapMean, type Interval } from './bootstrap.js';

export interface WinRate {
  n: number;
  wins: number;
  ties: number;
  losses: number;
  winRate: number;
  interval: Interval;
  meanPolicyScore: number;
  meanBaselineScore: number;
}

export function winRate(
  policyScores: readonly number[],
  baselineScores: readonly number[],
  resamples: number,
  seed: number | string,
  tieTolerance = 1e-9,
): WinRate {
  if (policyScores.length !== baselineScores.length)
    throw new Error(`winRate: ${policyScores.length} policy scores vs ${baselineScores.length} baseline scores`);
  const outcomes = policyScores.map((p, i) => {
    const d = p - baselineScores[i];
    return Math.abs(d) <= tieTolerance ? 0.5 : d > 0 ? 1 : 0;
  });
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    n: outcomes.length,
    wins: outcomes.filter((o) => o === 1).length,
    ties: outcomes.filter((o) => o === 0.5).length,
    losses: outcomes.filter((o) => o === 0).length,
    winRate: mean(outcomes),
    interval: bootstrapMean(outcomes, resamples, seed),
    meanPolicyScore: mean(policyScores),
    meanBaselineScore: mean(baselineScores),
  };
}
