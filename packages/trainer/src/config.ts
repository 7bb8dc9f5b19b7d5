// Optimisation and loop settings shared by SFT, preference and reward-model training; defaults here only.
import { z } from 'zod';

/** The loop's fields; TrainConfigSchema and the reward model's config (which adds its loss settings) build on them. */
export const TrainFieldsSchema = z.object({
  steps: z.number().int().positive(),
  /** Examples (SFT) or pairs (preference) per micro-batch. */
  batchSize: z.number().int().positive().default(16),
  /** Micro-batches whose gradients are averaged into one optimiser step. */
  gradAccumulation: z.number().int().positive().default(1),
  /**
   * Recompute each transformer block in the backward pass instead of keeping its activations: about a
   * third of the step's peak memory for about 1.5-2x its time. For batches that outgrow the WASM heap.
   */
  gradientCheckpointing: z.boolean().default(false),
  /** Peak learning rate (AdamW). */
  lr: z.number().positive().default(1e-3),
  warmupSteps: z.number().int().nonnegative().default(10),
  /** The cosine schedule decays to lr × minLrRatio at the last step. */
  minLrRatio: z.number().min(0).max(1).default(0.1),
  weightDecay: z.number().nonnegative().default(0.01),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.95),
  /** Global gradient-norm clip; 0 disables clipping. */
  clipNorm: z.number().nonnegative().default(1),
  checkpointEvery: z.number().int().positive().default(50),
  /** Checkpoints kept on disk (oldest removed first). */
  keepCheckpoints: z.number().int().positive().default(2),
});

export const warmupFitsSteps: [
  (c: { warmupSteps: number; steps: number }) => boolean,
  { message: string; path: string[] },
] = [(c) => c.warmupSteps <= c.steps, { message: 'warmupSteps must not exceed steps', path: ['warmupSteps'] }];

export const TrainConfigSchema = TrainFieldsSchema.strict().refine(...warmupFitsSteps);

/** SFT's settings: 0 steps is allowed, for a pretrained model that starts preference training as it is. */
export const SftConfigSchema = TrainFieldsSchema.extend({ steps: z.number().int().nonnegative() })
  .strict()
  .refine((c) => c.steps === 0 || c.warmupSteps <= c.steps, warmupFitsSteps[1]);

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
