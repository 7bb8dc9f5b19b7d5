import type { TrainConfig } from './config.js';

/** Linear warmup to the peak, then cosine decay to lr × minLrRatio at the last step (step is 0-based). */
export function learningRate(
  step: number,
  c: Pick<TrainConfig, 'lr' | 'warmupSteps' | 'minLrRatio' | 'steps'>,
): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const span = Math.max(1, c.steps - 1 - c.warmupSteps);
  const progress = Math.min(1, (step - c.warmupSteps) / span);
  const minLr = c.lr * c.minLrRatio;
  return minLr + 0.5 * (c.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
