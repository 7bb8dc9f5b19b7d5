// One optimiser step's gradients: the loss of each micro-batch under the gradient tape, gradients
// summed over the micro-batches and averaged, the global norm, and the clipped gradients ready for the
// optimiser. The train loop calls it every step; the bench calls it to time the trainer's own step.
import { tf, gradientNorm, scaleGradients } from '@spo/engine';
import type { TrainConfig } from './config.js';

export interface StepLoss {
  loss: tf.Scalar;
  /** Scalars to log under TRL's names (e.g. rewards/margins). */
  metrics: Record<string, tf.Scalar>;
}

/**
 * Loss of the examples at `indices` in optimiser step `step` (0-based); runs under the gradient tape. `countTokens`
 * reports real tokens.
 */
export type LossFn = (indices: number[], countTokens: (n: number) => void, step: number) => StepLoss;

export interface StepGradients {
  /** Each variable's clipped mean gradient, by name; the caller applies and disposes them. */
  clipped: Map<string, tf.Tensor>;
  /** "loss" and the loss function's metrics, averaged over the micro-batches. */
  metrics: Record<string, number>;
  /** Global norm of the mean gradient before clipping. */
  norm: number;
  /** Real tokens in the step. */
  tokens: number;
}

export function stepGradients(
  lossFn: LossFn,
  variables: Map<string, tf.Variable>,
  config: Pick<TrainConfig, 'clipNorm'>,
  step: number,
  microBatches: readonly number[][],
): StepGradients {
  const names = [...variables.keys()];
  const varList = names.map((n) => variables.get(n)!);
  let tokens = 0;
  let metricNames: string[] = [];
  const metricSums: number[] = [];
  const summed = new Map<string, tf.Tensor>();
  for (const indices of microBatches) {
    let packed: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn(indices, (n) => (tokens += n), step);
      metricNames = ['loss', ...Object.keys(out.metrics)];
      packed = tf.keep(tf.stack([out.loss, ...Object.values(out.metrics)]));
      return out.loss;
    }, varList);
    value.dispose();
    const host = packed!.dataSync();
    packed!.dispose();
    host.forEach((x, i) => (metricSums[i] = (metricSums[i] ?? 0) + x / microBatches.length));
    for (const [i, v] of varList.entries()) {
      const g = grads[v.name];
      if (!g) continue;
      const before = summed.get(names[i]);
      summed.set(names[i], before ? tf.tidy(() => tf.add(before, g)) : g);
      if (before) {
        before.dispose();
        g.dispose();
      }
    }
  }
  const summedNames = [...summed.keys()],
    sums = [...summed.values()];
  const scale = 1 / microBatches.length;
  const norm = gradientNorm(sums, scale);
  const factor = config.clipNorm > 0 && norm > config.clipNorm ? config.clipNorm / (norm + 1e-6) : 1;
  const scaled = scaleGradients(sums, scale, factor);
  const clipped = new Map(summedNames.map((name, i) => [name, scaled[i]]));
  tf.dispose([...summed.values()]);
  return { clipped, metrics: Object.fromEntries(metricNames.map((n, i) => [n, metricSums[i]])), norm, tokens };
}
