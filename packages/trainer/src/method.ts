// A preference method: an alignment loss (or a weighted mixture of them) with its hyperparameters, what
// changes the log-probs it sees (LD-DPO's length desensitisation, WPO's weights, TR-DPO's reference
// sync), and the terms any loss can add: an SFT term, SPO's degree loss (the method's "+SPO" twin) and
// Soft Preference Optimization's KL regulariser on the policy's own samples.
import { z } from 'zod';
import { parseLossParams, preferenceLoss, PREFERENCE_LOSSES, PREFERENCE_LOSS_NAMES } from '@spo/losses';
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

/**
 * TR-DPO, Gorbatovski et al. 2024, "Learn Your Reference Model for Real Good Alignment", Eqs. 4-5: every
 * `every` steps the reference moves towards the policy, softly θ_ref ← α θ + (1 − α) θ_ref, or hard, θ_ref ← θ.
 */
export const ReferenceSyncSchema = z
  .object({
    mode: z.enum(['soft', 'hard']),
    /** α of the soft update (TRL's ref_model_mixup_alpha); hard copies (α = 1). */
    alpha: z.number().gt(0).max(1).optional(),
    /** τ: steps between syncs (TRL's ref_model_sync_steps). */
    every: z.number().int().positive().default(512),
  })
  .strict()
  .refine((r) => r.mode === 'soft' || r.alpha === undefined, {
    message: 'alpha applies to mode "soft" only; "hard" copies the policy',
    path: ['alpha'],
  })
  .transform((r) => (r.mode === 'soft' ? { ...r, alpha: r.alpha ?? 0.6 } : r));
export type ReferenceSyncConfig = z.infer<typeof ReferenceSyncSchema>;

/** One loss of a mixture (MPO-style, TRL's loss_type list with loss_weights): weight × its batch mean. */
const MixtureEntrySchema = z
  .object({
    loss: z.string(),
    weight: z.number().positive().default(1),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type LossEntry = z.infer<typeof MixtureEntrySchema>;

export const MethodConfigSchema = z
  .object({
    /** Name of the run and its results row, e.g. "dpo-spo". */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
    /** The alignment loss (`spo losses` lists them); or give `losses`, a weighted mixture. */
    loss: z.string().optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Several losses summed with weights, instead of `loss` and `params`. */
    losses: z.array(MixtureEntrySchema).min(1).optional(),
    /** LD-DPO's α ∈ [0, 1]: the longer response's tokens past the shorter one's length count α times. */
    ldAlpha: z.number().min(0).max(1).optional(),
    /** "wpo": each pair's loss weighted by its responses' sampling-aligned probabilities (WPO, Eq. 2). */
    weighting: z.enum(['wpo']).optional(),
    /** TR-DPO: move the reference towards the policy every few steps. */
    referenceSync: ReferenceSyncSchema.optional(),
    /**
     * This method's peak learning rate, in place of the preference section's `lr` (a tuned baseline and
     * its +SPO twin share one); left out, the section's.
     */
    lr: z.number().positive().optional(),
    /** Weight of the chosen response's per-token NLL added to the loss (0: none). */
    sftWeight: z.number().nonnegative().default(0),
    /** Present: add SPO's degree loss (the method's "+SPO" twin). */
    spo: SpoConfigSchema.optional(),
    /** Present: add the KL regulariser on the policy's own samples (kl/policy_ref). */
    kl: KlRegularizerSchema.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const known = PREFERENCE_LOSS_NAMES as string[];
    const unknown = (loss: string) => `unknown loss "${loss}"; known losses: ${known.join(', ')}`;
    if ((m.loss === undefined) === (m.losses === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['loss'],
        message: 'give either "loss" (one loss) or "losses" (a weighted mixture), not both or neither',
      });
      return;
    }
    if (m.loss !== undefined && !known.includes(m.loss))
      ctx.addIssue({ code: 'custom', path: ['loss'], message: unknown(m.loss) });
    if (m.losses !== undefined && Object.keys(m.params).length > 0)
      ctx.addIssue({ code: 'custom', path: ['params'], message: 'with "losses", give each entry its own params' });
    m.losses?.forEach((e, i) => {
      if (!known.includes(e.loss))
        ctx.addIssue({ code: 'custom', path: ['losses', i, 'loss'], message: unknown(e.loss) });
      else if (preferenceLoss(e.loss).input !== 'pairs' && m.losses!.length > 1)
        ctx.addIssue({
          code: 'custom',
          path: ['losses', i, 'loss'],
          message: `"${e.loss}" trains on ranked lists; a mixture sums pair losses only`,
        });
    });
    const names = m.losses?.map((e) => e.loss) ?? [m.loss!];
    if (!names.every((n) => known.includes(n))) return;
    const lists = names.some((n) => preferenceLoss(n).input === 'lists');
    for (const [field, what] of [
      ['ldAlpha', 'LD-DPO splits a pair at its shorter response'],
      ['weighting', 'WPO weights pairs'],
    ] as const)
      if (m[field] !== undefined && lists)
        ctx.addIssue({ code: 'custom', path: [field], message: `${what}: it needs a pair loss, not a list loss` });
    if (
      m.referenceSync &&
      !m.kl &&
      !names.some((n) => PREFERENCE_LOSSES[n as keyof typeof PREFERENCE_LOSSES].usesReference)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['referenceSync'],
        message: `nothing to sync: ${names.join(', ')} uses no reference model`,
      });
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
  const method = parsed.data;
  try {
    if (method.losses)
      return {
        ...method,
        losses: method.losses.map((e, i) => ({
          ...e,
          params: parseLossParams(e.loss, e.params, `${where}.losses.${i}.params`),
        })),
      };
    return { ...method, params: parseLossParams(method.loss!, method.params, `${where}.params`) };
  } catch (error) {
    throw new MethodConfigError([(error as Error).message]);
  }
}

/** The method's losses with their weights: one entry of weight 1 for a single `loss`. */
export function methodLosses(m: MethodConfig): LossEntry[] {
  return m.losses ?? [{ loss: m.loss!, weight: 1, params: m.params }];
}

/** How tables and logs name the method's alignment loss: "dpo", or "0.8·dpo + 0.2·bco" for a mixture. */
export function methodLossLabel(m: MethodConfig): string {
  return m.losses ? m.losses.map((e) => `${e.weight}·${e.loss}`).join(' + ') : m.loss!;
}
