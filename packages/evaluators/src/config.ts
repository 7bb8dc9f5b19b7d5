// Evaluation settings and their defaults (the one place they are declared).
import { z } from 'zod';

export const EvalConfigSchema = z.object({
  sampling: z.object({
    maxNewTokens: z.number().int().positive().default(32),
    /** 0 is greedy decoding. */
    temperature: z.number().nonnegative().default(1),
    topP: z.number().gt(0).max(1).default(1),
    batchSize: z.number().int().positive().default(128),
  }).strict().default({ maxNewTokens: 32, temperature: 1, topP: 1, batchSize: 128 }),
  /** Bootstrap resamples for the 95% intervals. */
  bootstrapResamples: z.number().int().min(100).default(2000),
}).strict();

export type EvalConfig = z.infer<typeof EvalConfigSchema>;
