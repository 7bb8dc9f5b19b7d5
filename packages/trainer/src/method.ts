// A preference method: an alignment loss with its hyperparameters, and the terms any loss can add:
// an SFT term, SPO's degree loss (the method's "+SPO" twin) and Soft Preference Optimization's KL
// regulariser on the policy's own samples.
import { z } from 'zod';
import { parseLossParams, PREFERENCE_LOSS_NAMES } from '@spo/losses';
import { SpoConfigSchema } from '@spo/spo';

/**
 * Sharifnassab et al. 2024's regulariser: η · E_{y ~ π} Σ_t KL(π(·|x, y_<t) ‖ π_ref(·|x, y_<t)),
 * exact over the vocabulary at each sampled position. A pool of responses is sampled from the
 * policy every `resampleEvery` steps; each step uses `batchSize` of them.
 */
export const KlRegularizerSchema = z
  .object({
    /** η: weight of the KL term. */
    eta: z.number().positive().default(0.1),
    /** Prompts to sample on: the SFT prompts (not the preference prompts, by default) or the preference prompts. */
    prompts: z.enum(['sft', 'preference']).default('sft'),
    poolSize: z.number().int().positive().default(64),
    batchSize: z.number().int().positive().default(8),
    resampleEvery: z.number().int().positive().default(20),
    maxNewTokens: z.number().int().positive().default(32),
    temperature: z.number().positive().default(1),
  })
  .strict()
  .refine((k) => k.batchSize <= k.poolSize, { message: 'batchSize must not exceed poolSize', path: ['batchSize'] });
export type KlRegularizerConfig = z.infer<typeof KlRegularizerSchema>;

export const MethodConfigSchema = z
  .object({
    /** Name of the run and its results row, e.g. "dpo-spo". */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
    loss: z.string(),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Weight of the chosen response's per-token NLL added to the loss (0: none). */
    sftWeight: z.number().nonnegative().default(0),
    /** Present: add SPO's degree loss (the method's "+SPO" twin). */
    spo: SpoConfigSchema.optional(),
    /** Present: add the KL regulariser on the policy's own samples (kl/policy_ref). */
    kl: KlRegularizerSchema.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!(PREFERENCE_LOSS_NAMES as string[]).includes(m.loss)) {
      ctx.addIssue({
        code: 'custom',
        path: ['loss'],
        message: `unknown loss "${m.loss}"; known losses: ${PREFERENCE_LOSS_NAMES.join(', ')}`,
      });
    }
  });

export type MethodConfig = z.infer<typeof MethodConfigSchema>;

/** A method that does not validate: one line per problem, each starting with the field's path. */
export class MethodConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
  }
}

/**
 * The method with its loss parameters validated and defaults filled. `where` is the method's path in
 * its config ("methods.1"), the prefix of every field the errors name.
 */
export function resolveMethod(m: unknown, where: string): MethodConfig {
  const parsed = MethodConfigSchema.safeParse(m);
  if (!parsed.success) {
    throw new MethodConfigError(parsed.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`));
  }
  try {
    return { ...parsed.data, params: parseLossParams(parsed.data.loss, parsed.data.params, `${where}.params`) };
  } catch (error) {
    throw new MethodConfigError([(error as Error).message]);
  }
}
