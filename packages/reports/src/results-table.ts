// The results store: one row per (run, evaluator) in results.csv, with every setting a run can differ
// in as its own column so anyone can pivot it, read and written with papaparse. Settings an
// experiment sweeps beyond the standard columns are added as extra columns after them.
import { existsSync, readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { writeFileAtomic } from '@spo/engine';

export const RESULT_COLUMNS = [
  'experiment',
  'run',
  'same_as',
  'method',
  'loss',
  'spo',
  'sweep',
  'variant',
  'seed',
  'seed_scope',
  'task',
  'label_temperature',
  'preference_pairs',
  'beta',
  'lambda',
  'degrees',
  'extractor',
  'target',
  'head',
  'key_share',
  'evaluator',
  'baseline',
  'n',
  'win_rate',
  'ci_low',
  'ci_high',
  'wins',
  'ties',
  'losses',
  'invalid',
  'mean_score',
  'baseline_mean_score',
  'degree_accuracy',
  'train_steps',
  'train_tokens_per_s',
  'config_hash',
  'backend',
  'commit',
] as const;

export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string | number | boolean> &
  Record<string, string | number | boolean>;

/** Write rows with the standard columns, then `extra` columns (other swept settings) in order. */
export function writeResultsCsv(path: string, rows: readonly ResultRow[], extra: readonly string[] = []): void {
  const fields = [...RESULT_COLUMNS, ...extra.filter((c) => !(RESULT_COLUMNS as readonly string[]).includes(c))];
  writeFileAtomic(path, Papa.unparse({ fields, data: rows.map((r) => fields.map((c) => r[c] ?? '')) }) + '\n');
}

export function readResultsCsv(path: string): ResultRow[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist; run the experiment's report target first`);
  const parsed = Papa.parse<ResultRow>(readFileSync(path, 'utf8'), {
    header: true,
    dynamicTyping: true,
    skipEmptyLines: true,
  });
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    throw new Error(`${path}:${(e.row ?? 0) + 2}: ${e.message}`);
  }
  const missing = RESULT_COLUMNS.filter((c) => !parsed.meta.fields?.includes(c));
  if (missing.length) throw new Error(`${path}: missing column(s) ${missing.join(', ')}`);
  return parsed.data;
}

/** Any table as CSV (compare tables, paired differences). */
export function writeCsv(
  path: string,
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean)[])[],
): void {
  writeFileAtomic(path, Papa.unparse({ fields: [...header], data: rows.map((r) => [...r]) }) + '\n');
}
