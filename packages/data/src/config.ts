// Data configuration and its defaults (the one place they are declared).
import { z } from 'zod';
import { KEY_CONTENT_EXTRACTORS } from './degree-variants.js';

/** How SPO's degree variants are made; a method's `spo` block carries these (DESIGN.md §1). */
export const DegreeConfigSchema = z.object({
  /** K: number of preference-degree levels, level 0 being the response itself. */
  degrees: z.number().int().min(2).max(16).default(4),
  extractor: z.enum(KEY_CONTENT_EXTRACTORS).default('rake'),
  /** Which response gets degree variants: the chosen (best-ranked), the rejected (worst-ranked), or both. */
  target: z.enum(['chosen', 'rejected', 'both']).default('chosen'),
}).strict();

export const SyntheticDataConfigSchema = z.object({
  source: z.literal('synthetic'),
  task: z.enum(['summarization', 'dialogue']),
  sftExamples: z.number().int().positive().default(4000),
  preferencePairs: z.number().int().positive().default(2000),
  /** Ranked lists for list losses (soft-bon, soft-pl); 0 builds none. */
  preferenceLists: z.number().int().nonnegative().default(0),
  /** Responses per ranked list. */
  listSize: z.number().int().min(3).max(16).default(4),
  evalPrompts: z.number().int().positive().default(256),
  labelTemperature: z.number().positive().default(0.25),
}).strict();

export type DegreeConfig = z.infer<typeof DegreeConfigSchema>;
export type SyntheticDataConfig = z.infer<typeof SyntheticDataConfigSchema>;
