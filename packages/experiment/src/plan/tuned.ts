// Tuned settings: what a tuning experiment chose, per data point and loss, written into the experiment
// that uses them. Each entry's `set` replaces those settings (dotted method paths: "params.beta", "lr")
// of every method with that loss, a base method and its +SPO twin alike, on the data variants whose data
// settings match `where` ({"data.task": "dialogue"}); SPO's own settings are left as each method gives them.
import { z } from 'zod';
import { resolveMethod, methodLosses, type MethodConfig } from '@spo/trainer';
import { getAtPath, setAtPath } from './grid.js';

/** Whether a data variant's settings are the entry's `where`. */
const matches = (t: TunedEntry, data: unknown) =>
  Object.entries(t.where).every(([path, value]) => getAtPath({ data }, path) === value);

const Value = z.union([z.string(), z.number(), z.boolean()]);

export const TunedEntrySchema = z
  .object({
    /** Data-grid values the entry applies to ({"data.task": "dialogue"}); left out, every variant. */
    where: z.record(z.string().regex(/^data\./, 'a data-grid path ("data.task")'), Value).default({}),
    /** The alignment loss whose methods take these settings ("dpo": both "dpo" and "dpo-spo"). */
    loss: z.string(),
    /** Method settings by dotted path: {"params.beta": 0.3, "lr": 0.001}. */
    set: z.record(z.string(), Value).refine((s) => Object.keys(s).length > 0, 'give at least one setting'),
    /** Where the values were chosen (a tuning report's chosen.json), for the reader. */
    from: z.string().optional(),
  })
  .strict();
export type TunedEntry = z.infer<typeof TunedEntrySchema>;

/** The entry for this method on this data variant, if any (at most one: `tunedProblems` checks). */
export function tunedEntryFor(
  tuned: readonly TunedEntry[],
  method: MethodConfig,
  data: unknown,
): TunedEntry | undefined {
  const losses = methodLosses(method).map((e) => e.loss);
  return tuned.find((t) => losses.length === 1 && losses[0] === t.loss && matches(t, data));
}

/** The method with its tuned settings for this data variant, validated again; itself when none apply. */
export function tunedMethod(
  tuned: readonly TunedEntry[],
  method: MethodConfig,
  data: unknown,
  where: string,
): MethodConfig {
  const entry = tunedEntryFor(tuned, method, data);
  if (!entry) return method;
  let changed: unknown = method;
  for (const [path, value] of Object.entries(entry.set)) changed = setAtPath(changed, path, value);
  return resolveMethod(changed, where);
}

/**
 * What is wrong with the entries for this config's data variants: one that matches none of them, a
 * loss no method uses, SPO's settings, two entries for the same loss on one variant.
 */
export function tunedProblems(
  tuned: readonly TunedEntry[],
  methodLossNames: ReadonlySet<string>,
  variants: readonly { label: string; data: unknown }[],
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  tuned.forEach((t, i) => {
    if (!variants.some((v) => matches(t, v.data))) {
      const [path] = Object.keys(t.where);
      problems.push({
        path: ['tuned', i, 'where'],
        message:
          `matches no data variant of this experiment` +
          (path
            ? ` (${path} is ${[...new Set(variants.map((v) => JSON.stringify(getAtPath({ data: v.data }, path))))].join(
                ', ',
              )})`
            : ''),
      });
    }
    if (!methodLossNames.has(t.loss))
      problems.push({
        path: ['tuned', i, 'loss'],
        message: `no method uses the loss "${t.loss}"; the methods' losses: ${[...methodLossNames].join(', ')}`,
      });
    if (Object.keys(t.set).some((k) => k === 'spo' || k.startsWith('spo.') || k === 'name'))
      problems.push({
        path: ['tuned', i, 'set'],
        message: 'tuned settings are the base method\'s ("params.*", "lr"): SPO keeps its own, a method its name',
      });
  });
  for (const v of variants) {
    const byLoss = new Map<string, number>();
    tuned.forEach((t, i) => {
      if (!matches(t, v.data)) return;
      const earlier = byLoss.get(t.loss);
      if (earlier !== undefined)
        problems.push({
          path: ['tuned', i],
          message: `entries ${earlier} and ${i} both set "${t.loss}" on ${v.label}: keep one`,
        });
      else byLoss.set(t.loss, i);
    });
  }
  return problems;
}
