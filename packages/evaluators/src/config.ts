// Evaluation settings and their defaults (the one place they are declared).
import { z } from 'zod';
import { JudgeConfigSchema } from './judge/judge-config.js';

/**
 * Which reward model scores the samples: the experiment's own (`spo train --stage rm`) or an ONNX
 * export in a local folder.
 */
export const RewardModelSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('own') }).strict(),
  z
    .object({
      kind: z.literal('onnx'),
      /** A folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx. */
      path: z.string().min(1),
      input: z.enum(['pair', 'concat']).default('pair'),
      maxLength: z.number().int().positive().default(512),
      batchSize: z.number().int().positive().default(16),
    })
    .strict(),
]);

export const EvalConfigSchema = z
  .object({
    sampling: z
      .object({
        maxNewTokens: z.number().int().positive().default(32),
        /** 0 is greedy decoding. */
        temperature: z.number().nonnegative().default(1),
        topP: z.number().gt(0).max(1).default(1),
        batchSize: z.number().int().positive().default(128),
      })
      .strict()
      .default({ maxNewTokens: 32, temperature: 1, topP: 1, batchSize: 128 }),
    /**
     * What each policy's sample is compared with: the SFT model's sample, or the dataset's chosen
     * response (data files only).
     */
    baseline: z.enum(['sft', 'chosen']).default('sft'),
    /**
     * The held-out prompts sampled on: the test prompts (left out), or the validation pairs' prompts,
     * where settings are tuned without looking at the test prompts.
     */
    prompts: z.enum(['test', 'validation']).optional(),
    /** Left out: the experiment's own reward model when it has a "rewardModel" section, else none. */
    rewardModel: RewardModelSourceSchema.optional(),
    /** An LLM judge over an OpenAI-compatible endpoint; left out, no judge runs. */
    judge: JudgeConfigSchema.optional(),
    /** Bootstrap resamples for the 95% intervals. */
    bootstrapResamples: z.number().int().min(100).default(2000),
  })
  .strict();

export type EvalConfig = z.infer<typeof EvalConfigSchema>;
export type RewardModelSource = z.infer<typeof RewardModelSourceSchema>;
