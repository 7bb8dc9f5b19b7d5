// Two-response files whose verdict is a label column rather than a chosen/rejected layout: which
// fields hold the two responses, which field (or fields, one per annotator) holds the verdict, and
// what its values mean. Several label fields are a vote in which a tie vote counts like any other: a
// response wins only with more votes than the other response and more than the tie votes, so [0, 0, 2]
// with tie [0] is a tie, not a pair decided by one annotator. A tie, an even split or a draw between a
// response and the tie votes drops the row, counted as "tie"; a value the mapping does not know is a
// bad row naming file, line, field and value.
import { z } from 'zod';
import { BadRowError, type RowLocation } from './bad-rows.js';
import { field } from './fields.js';

const labelValues = z.array(z.union([z.string(), z.number(), z.boolean()])).min(1);

export const LabelConfigSchema = z
  .object({
    /** The two response fields, in the order the label values refer to, e.g. ["response_1", "response_2"]. */
    responses: z.tuple([z.string().min(1), z.string().min(1)]),
    /** The verdict's field, or several (one per annotator: the majority decides). */
    field: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Values meaning the first response is preferred, e.g. [1, "A"] or [-1]. */
    first: labelValues,
    /** Values meaning the second response is preferred, e.g. [2, "B"] or [1]. */
    second: labelValues,
    /** Values meaning neither is preferred, e.g. [0, "tie"]: such rows are dropped and counted. */
    tie: labelValues.optional(),
  })
  .strict()
  .superRefine((l, ctx) => {
    const key = (v: unknown) => String(v).trim().toLowerCase();
    const seen = new Map<string, string>();
    for (const side of ['first', 'second', 'tie'] as const) {
      for (const v of l[side] ?? []) {
        const other = seen.get(key(v));
        if (other)
          ctx.addIssue({
            code: 'custom',
            path: [side],
            message: `the value ${JSON.stringify(v)} is listed under both "${other}" and "${side}"`,
          });
        seen.set(key(v), side);
      }
    }
  });

export type LabelConfig = z.infer<typeof LabelConfigSchema>;

/** The two response fields ordered [chosen, rejected] by the row's label, or a tie / bad-label error. */
export function orderByLabel(row: unknown, label: LabelConfig, at: RowLocation): [string, string] {
  const key = (v: unknown) => String(v).trim().toLowerCase();
  const meaning = new Map<string, 'first' | 'second' | 'tie'>();
  for (const side of ['first', 'second', 'tie'] as const) for (const v of label[side] ?? []) meaning.set(key(v), side);
  const votes = { first: 0, second: 0, tie: 0 };
  for (const name of typeof label.field === 'string' ? [label.field] : label.field) {
    const value = field(row, name);
    if (value === undefined || value === null || value === '')
      throw new BadRowError(at, 'missing-field', name, 'missing (data.label.field names it)');
    const m = meaning.get(key(value));
    if (!m) {
      throw new BadRowError(
        at,
        'unknown-label',
        name,
        `the value ${JSON.stringify(value)} is none of data.label.first ${JSON.stringify(label.first)}, ` +
          `second ${JSON.stringify(label.second)}${label.tie ? ` or tie ${JSON.stringify(label.tie)}` : ''}`,
      );
    }
    votes[m]++;
  }
  const { first, second, tie } = votes;
  const winner = first > second && first > tie ? 'first' : second > first && second > tie ? 'second' : undefined;
  if (!winner) {
    const names = typeof label.field === 'string' ? label.field : label.field.join(', ');
    throw new BadRowError(
      at,
      'tie',
      names,
      first + second === 0
        ? 'a tie'
        : `the votes are ${first} for the first response, ${second} for the second and ${tie} for a tie`,
    );
  }
  return winner === 'first' ? label.responses : [label.responses[1], label.responses[0]];
}
