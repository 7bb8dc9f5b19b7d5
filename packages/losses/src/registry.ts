// Preference losses by name, each with its hyperparameter schema (whose defaults are the method's own).
import { z } from 'zod';
import { dpoLoss, DpoParamsSchema } from './dpo.js';
import type { PairLogProbs, PairLossOutput } from './types.js';

export interface PreferenceLossSpec<P = any> {
  /** Paper and equation, shown by `spo losses` and the README table. */
  reference: string;
  params: z.ZodType<P>;
  fn: (lp: PairLogProbs, params: P) => PairLossOutput;
}

export const PREFERENCE_LOSSES = {
  dpo: { reference: 'Rafailov et al. 2023, Eq. 7', params: DpoParamsSchema, fn: dpoLoss },
} satisfies Record<string, PreferenceLossSpec>;

export type PreferenceLossName = keyof typeof PREFERENCE_LOSSES;
export const PREFERENCE_LOSS_NAMES = Object.keys(PREFERENCE_LOSSES) as PreferenceLossName[];

export function preferenceLoss(name: string): PreferenceLossSpec {
  const spec = (PREFERENCE_LOSSES as Record<string, PreferenceLossSpec>)[name];
  if (!spec) throw new Error(`unknown loss "${name}"; known losses: ${PREFERENCE_LOSS_NAMES.join(', ')}`);
  return spec;
}

/** Validate a loss's hyperparameters, filling its defaults; errors name the field to change. */
export function parseLossParams(name: string, params: unknown, where = 'params'): Record<string, unknown> {
  const parsed = preferenceLoss(name).params.safeParse(params ?? {});
  if (!parsed.success) {
    throw new Error(`${where} for loss "${name}": ${parsed.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data as Record<string, unknown>;
}
