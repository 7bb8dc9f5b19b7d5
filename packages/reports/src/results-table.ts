// The results store: one row per (method, +SPO or not, seed, evaluator, baseline) in results.csv,
// read and written with papaparse.
import { existsSync, readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { writeFileAtomic } from '@spo/engine';

export const RESULT_COLUMNS = [
  'experiment', 'method', 'loss', 'spo', 'seed', 'evaluator', 'baseline', 'n', 'win_rate', 'ci_low', 'ci_high',
  'wins', 'ties', 'losses', 'invalid', 'mean_score', 'baseline_mean_score', 'degree_accuracy', 'train_steps', 'train_tokens_per_s', 'config_hash', 'backend',
] as const;

export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string | number | boolean>;

export function writeResultsCsv(path: string, rows: readonly ResultRow[]): void {
  writeFileAtomic(path, Papa.unparse({ fields: [...RESULT_COLUMNS], data: rows.map((r) => RESULT_COLUMNS.map((c) => r[c])) }) + '\n');
}

export function readResultsCsv(path: string): ResultRow[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist; run the experiment's eval and report targets first`);
  const parsed = Papa.parse<ResultRow>(readFileSync(path, 'utf8'), { header: true, dynamicTyping: true, skipEmptyLines: true });
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    throw new Error(`${path}:${(e.row ?? 0) + 2}: ${e.message}`);
  }
  const missing = RESULT_COLUMNS.filter((c) => !parsed.meta.fields?.includes(c));
  if (missing.length) throw new Error(`${path}: missing column(s) ${missing.join(', ')}`);
  return parsed.data;
}
