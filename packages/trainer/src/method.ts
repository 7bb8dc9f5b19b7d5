// A preference method: an alignment loss with its hyperparameters, optionally with SPO's degree loss.
import { z } from 'zod';
import { parseLossParams, PREFERENCE_LOSS_NAMES, SpoParamsSchema } from '@spo/losses';

export const MethodConfigSchema = z.object({
  /** Name of the run and its results row, e.g. "dpo-spo". */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
  loss: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Present: add SPO's degree loss (the method's "+SPO" twin). */
  spo: SpoParamsSchema.optional(),
}).strict().superRefine((m, ctx) => {
  if (!(PREFERENCE_LOSS_NAMES as string[]).includes(m.loss)) {
    ctx.addIssue({ code: 'custom', path: ['loss'], message: `unknown loss "${m.loss}"; known losses: ${PREFERENCE_LOSS_NAMES.join(', ')}` });
  }
});

export type MethodConfig = z.infer<typeof MethodConfigSchema>;

/** The method with its loss parameters validated and defaults filled. */
export function resolveMethod(m: MethodConfig, where: string): MethodConfig {
  return { ...m, params: parseLossParams(m.loss, m.params, `${where}.params`) };
}
