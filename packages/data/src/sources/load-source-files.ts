// Loading preference data from files: stream every row of every file, parse it by the format, check it,
// and keep it, or refuse it by reason (stop at the first bad row, or count it in skip mode).
import { existsSync } from 'node:fs';
import { BadRowError, BadRowTally, type BadRowReport, type OnBadRow } from './bad-rows.js';
import { SOURCE_FORMATS, type SourceFormatName } from './source-formats.js';
import type { RawRow } from './read-rows.js';
import { missingDataFile } from '../fetch/public-artifacts.js';
import type { FieldNames, SourceRow } from './source-row.js';
import type { PromptRenderer } from './prompt-format.js';
import type { LabelConfig } from './labels.js';

export interface LoadSourceOptions {
  format: SourceFormatName;
  files: readonly string[];
  /** Field (column) names that differ from the format's defaults. */
  fields?: Partial<FieldNames>;
  /** CSV only: the delimiter (default: by extension, "\t" for .tsv, else detected). */
  delimiter?: string;
  onBadRow: OnBadRow;
  /** Stop after this many kept rows. */
  limit?: number;
  /** Longest prompt or response, in characters. */
  maxChars: number;
  renderPrompt: PromptRenderer;
  promptTemplate?: string;
  label?: LabelConfig;
  /** Called every `progressEvery` rows read. */
  onProgress?: (rowsRead: number) => void;
}

export interface LoadSummary {
  files: { file: string; rowsRead: number; rowsKept: number }[];
  rowsRead: number;
  rowsKept: number;
  badRows: BadRowReport;
  /** The field paths of the first row that parsed as an object (nested keys dotted), for suggestions. */
  fieldsSeen: string[];
}

/** Dotted paths of an object's fields, two levels deep ("info.post", "summaries.0"). */
function fieldPaths(value: unknown, prefix = '', depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > 1) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [
    `${prefix}${k}`,
    ...fieldPaths(v, `${prefix}${k}.`, depth + 1),
  ]);
}

/** An error reading a file (a directory, a broken gzip stream, a permission) as one that names it. */
function fileError(file: string, error: unknown): Error {
  const e = error as NodeJS.ErrnoException;
  const what =
    e.code === 'EISDIR'
      ? 'is a directory, not a file'
      : e.code === 'Z_DATA_ERROR' ||
          e.code === 'Z_BUF_ERROR' ||
          /unexpected end of file|incorrect header check|invalid (block|distance|code)/i.test(e.message)
        ? `is not a whole gzip stream (${e.message}): the file is cut short or damaged`
        : e.code === 'EACCES'
          ? 'cannot be read: permission denied'
          : `could not be read (${e.message})`;
  return new Error(`data.files: ${file} ${what}`, { cause: error });
}

const PROGRESS_EVERY = 2000;

/**
 * The version of what the loaders make of a file's bytes, in the prepared-data cache key and the data
 * stage's hash: raise it when a fix changes the rows read from the same file, so that data prepared by
 * the old loader is never served again. 2: CSV cells equal to an earlier cell of their row were
 * renamed ("B" -> "B_1") by papaparse's header mode in a stream; annotator tie votes count as votes.
 */
export const FILE_LOADER_VERSION = 2;

export async function loadSourceFiles(o: LoadSourceOptions): Promise<{ rows: SourceRow[]; summary: LoadSummary }> {
  const format = SOURCE_FORMATS[o.format];
  const fields = { ...format.fields, ...o.fields };
  const tally = new BadRowTally(o.onBadRow);
  const rows: SourceRow[] = [];
  const files: LoadSummary['files'] = [];
  let rowsRead = 0;
  let fieldsSeen: string[] = [];
  for (const file of o.files) {
    if (!existsSync(file)) throw missingDataFile(file);
    const stats = { file, rowsRead: 0, rowsKept: 0 };
    files.push(stats);
    const reading = format.read(file, o.delimiter);
    for (;;) {
      let next: IteratorResult<RawRow>;
      try {
        next = await reading.next();
      } catch (error) {
        throw error instanceof BadRowError || (error as Error).message.startsWith(file)
          ? error
          : fileError(file, error);
      }
      if (next.done) break;
      const raw = next.value;
      if (o.limit !== undefined && rows.length >= o.limit) break;
      stats.rowsRead++;
      if (++rowsRead % PROGRESS_EVERY === 0) o.onProgress?.(rowsRead);
      if (!fieldsSeen.length && 'value' in raw) fieldsSeen = fieldPaths(raw.value);
      try {
        if ('error' in raw) throw raw.error;
        const row = format.parse(raw.value, {
          at: { file, line: raw.line },
          fields,
          renderPrompt: o.renderPrompt,
          promptTemplate: o.promptTemplate,
          label: o.label,
        });
        checkRow(row, { file, line: raw.line }, o.maxChars, fields);
        rows.push({ ...row, at: { file, line: raw.line } });
        stats.rowsKept++;
      } catch (error) {
        if (!(error instanceof BadRowError)) throw error;
        tally.drop(error);
      }
    }
  }
  return { rows, summary: { files, rowsRead, rowsKept: rows.length, badRows: tally.report, fieldsSeen } };
}

function checkRow(row: SourceRow, at: { file: string; line: number }, maxChars: number, fields: FieldNames): void {
  const name = (i: number) =>
    row.responseFields?.[i] ??
    (row.responses.length === 2 ? [fields.chosen, fields.rejected][i] : `${fields.responses}.${i}`);
  if (row.prompt.length > maxChars)
    throw new BadRowError(
      at,
      'too-long',
      fields.prompt,
      `${row.prompt.length} characters, over data.maxChars = ${maxChars}`,
    );
  row.responses.forEach((r, i) => {
    if (r.trim() === '') throw new BadRowError(at, 'empty-response', name(i), 'is empty');
    if (r.length > maxChars)
      throw new BadRowError(at, 'too-long', name(i), `${r.length} characters, over data.maxChars = ${maxChars}`);
  });
  const seen = new Set<string>();
  row.responses.forEach((r, i) => {
    if (seen.has(r))
      throw new BadRowError(at, 'identical-responses', name(i), 'is the same text as another response of this row');
    seen.add(r);
  });
}
