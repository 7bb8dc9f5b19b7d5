// A comparison an experiment asks its report for (and `spo compare` makes on demand): the runs grouped
// by the value of one setting, each against a baseline method on the same data, seeds and prompts.
import { z } from 'zod';

export const CompareSpecSchema = z
  .object({
    /** The setting whose values make the rows: "spo.lambda", "spo.degrees", "data.labelTemperature", "method", ... */
    by: z.string().min(1),
    /** The method every row is compared with (its run on the same data variant and seed). */
    baseline: z.string().min(1),
    /** Only runs of these methods (default: every method but the baseline). */
    methods: z.array(z.string()).optional(),
    title: z.string().optional(),
  })
  .strict();

export type CompareSpec = z.infer<typeof CompareSpecSchema>;
