// Data configuration and its defaults (the one place they are declared).
import { z } from 'zod';
import { KEY_CONTENT_EXTRACTORS } from './degree-variants.js';

export const DegreeConfigSchema = z.object({
  /** K: number of preference-degree levels, level 0 being the response itself. */
  levels: z.number().int().min(2).max(16).default(4),
  extractor: z.enum(KEY_CONTENT_EXTRACTORS).default('rake'),
  /** Which response of a pair gets degree variants. */
  target: z.enum(['chosen', 'rejected', 'both']).default('chosen'),
}).strict();

export const SyntheticDataConfigSchema = z.object({
  source: z.literal('synthetic'),
  task: z.enum(['summarization', 'dialogue']),
  sftExamples: z.number().int().positive().default(4000),
  preferencePairs: z.number().int().positive().default(2000),
  evalPrompts: z.number().int().positive().default(256),
  labelTemperature: z.number().positive().default(0.25),
  degrees: DegreeConfigSchema.default(DegreeConfigSchema.parse({})),
}).strict();

export type DegreeConfig = z.infer<typeof DegreeConfigSchema>;
export type SyntheticDataConfig = z.infer<typeof SyntheticDataConfigSchema>;
