// Loading preference data from files: stream every row of every file, parse it by the format, check it,
// and keep it, or refuse it by reason (stop at the first bad row, or count it in skip mode).
import { existsSync } from 'node:fs';
import { BadRowError, BadRowTally, type BadRowReport, type OnBadRow } from './bad-rows.js';
import { SOURCE_FORMATS, type SourceFormatName } from './source-formats.js';
import type { FieldNames, SourceRow } from './source-row.js';
import type { PromptRenderer } from './prompt-format.js';

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
  /** Called every `progressEvery` rows read. */
  onProgress?: (rowsRead: number) => void;
}

export interface LoadSummary {
  files: { file: string; rowsRead: number; rowsKept: number }[];
  rowsRead: number;
  rowsKept: number;
  badRows: BadRowReport;
}

const PROGRESS_EVERY = 2000;

export async function loadSourceFiles(o: LoadSourceOptions): Promise<{ rows: SourceRow[]; summary: LoadSummary }> {
  const format = SOURCE_FORMATS[o.format];
  const fields = { ...format.fields, ...o.fields };
  const tally = new BadRowTally(o.onBadRow);
  const rows: SourceRow[] = [];
  const files: LoadSummary['files'] = [];
  let rowsRead = 0;
  for (const file of o.files) {
    if (!existsSync(file)) throw new Error(`data.files: ${file} does not exist (paths are relative to the directory you run spo or nx from)`);
    const stats = { file, rowsRead: 0, rowsKept: 0 };
    files.push(stats);
    for await (const raw of format.read(file, o.delimiter)) {
      if (o.limit !== undefined && rows.length >= o.limit) break;
      stats.rowsRead++;
      if (++rowsRead % PROGRESS_EVERY === 0) o.onProgress?.(rowsRead);
      try {
        if ('error' in raw) throw raw.error;
        const row = format.parse(raw.value, { at: { file, line: raw.line }, fields, renderPrompt: o.renderPrompt });
        checkRow(row, { file, line: raw.line }, o.maxChars, fields);
        rows.push({ ...row, at: { file, line: raw.line } });
        stats.rowsKept++;
      } catch (error) {
        if (!(error instanceof BadRowError)) throw error;
        tally.drop(error);
      }
    }
  }
  return { rows, summary: { files, rowsRead, rowsKept: rows.length, badRows: tally.report } };
}

function checkRow(row: SourceRow, at: { file: string; line: number }, maxChars: number, fields: FieldNames): void {
  const name = (i: number) => (row.responses.length === 2 ? [fields.chosen, fields.rejected][i] : `${fields.responses}.${i}`);
  if (row.prompt.length > maxChars) throw new BadRowError(at, 'too-long', fields.prompt, `${row.prompt.length} characters, over data.maxChars = ${maxChars}`);
  row.responses.forEach((r, i) => {
    if (r.trim() === '') throw new BadRowError(at, 'empty-response', name(i), 'is empty');
    if (r.length > maxChars) throw new BadRowError(at, 'too-long', name(i), `${r.length} characters, over data.maxChars = ${maxChars}`);
  });
  const seen = new Set<string>();
  row.responses.forEach((r, i) => {
    if (seen.has(r)) throw new BadRowError(at, 'identical-responses', name(i), 'is the same text as another response of this row');
    seen.add(r);
  });
}
