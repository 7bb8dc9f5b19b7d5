// SPO's settings: a method's `spo` block, with every default declared here and nowhere else.
//   {"lambda": 0.1, "head": "linear", "degrees": 4, "extractor": "rake", "keyShare": 1, "target": "chosen"}
// The pruning settings (degrees, extractor, keyShare, target) make the degree variants; lambda and head
// make the degree loss added to the method's alignment loss.
import { z } from 'zod';
import { KEY_CONTENT_EXTRACTORS } from './key-content.js';

export const DEGREE_HEADS = ['linear', 'logprob-rank'] as const;

/** How SPO's degree variants are made (docs/architecture.md §1). */
export const DegreeConfigSchema = z
  .object({
    /** K: number of preference-degree levels, level 0 being the response itself. */
    degrees: z.number().int().min(2).max(16).default(4),
    extractor: z.enum(KEY_CONTENT_EXTRACTORS).default('rake'),
    /** Share of the extracted phrases, best scored first, that counts as key content (RAKE's paper keeps a third). */
    keyShare: z.number().gt(0, 'must be above 0 (1 keeps every extracted phrase)').max(1).default(1),
    /** Which response gets degree variants: the chosen (best-ranked), the rejected (worst-ranked), or both. */
    target: z.enum(['chosen', 'rejected', 'both']).default('chosen'),
  })
  .strict();
export type DegreeConfig = z.infer<typeof DegreeConfigSchema>;

/** A method's whole `spo` block: the degree loss's weight and head, and how the variants are made. */
export const SpoConfigSchema = z
  .object({
    /** λ: weight of the degree loss added to the alignment loss. */
    lambda: z.number().nonnegative().default(0.1),
    /**
     * linear: a classifier over mean-pooled final hidden states; logprob-rank: the policy's own
     * likelihood ranks the levels.
     */
    head: z.enum(DEGREE_HEADS).default('linear'),
    ...DegreeConfigSchema.shape,
  })
  .strict();
export type SpoConfig = z.infer<typeof SpoConfigSchema>;
