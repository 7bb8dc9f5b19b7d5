// Streaming readers for the file formats preference data comes in. Each yields one raw row at a time
// with its line number, so a 10 GB file never has to fit in memory and every error can point at a line.
// - JSON Lines (.jsonl, also .json files whose first character is "{"), gzip-compressed or not;
// - a JSON array of rows (.json starting with "["), split element by element without parsing it whole;
// - CSV / TSV through papaparse, with a header row.
// Bytes are decoded strictly: invalid UTF-8 is an error of its line, not replacement characters.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import Papa from 'papaparse';
import { BadRowError } from './bad-rows.js';

export type RawRow = { line: number; value: unknown } | { line: number; error: BadRowError };

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function openBytes(file: string): Readable {
  const raw = createReadStream(file);
  return isGzip(file) ? raw.pipe(createGunzip()) : raw;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decode(file: string, line: number, bytes: Uint8Array): string | BadRowError {
  try {
    return strictUtf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new BadRowError(
      { file, line },
      'not-utf8',
      undefined,
      'bytes that are not valid UTF-8 (convert the file to UTF-8)',
    );
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Whether a .json file holds one array (rather than one object per line); a UTF-8 byte-order mark is skipped. */
async function firstCharacter(file: string): Promise<string> {
  let start = true;
  for await (const c of openBytes(file)) {
    let chunk = c as Buffer;
    if (start && UTF8_BOM.every((b, i) => chunk[i] === b)) chunk = chunk.subarray(3);
    start = false;
    const m = /\S/.exec(chunk.toString('latin1'));
    if (m) return m[0];
  }
  return '';
}

export async function* readJsonRows(file: string): AsyncGenerator<RawRow> {
  if ((await firstCharacter(file)) === '[') yield* readJsonArray(file);
  else yield* readJsonLines(file);
}

/**
 * Lines of a JSON Lines file. A line longer than a chunk is gathered as a list of chunks and joined
 * once, at its newline, so reading is linear in the line's length (joining the pending bytes to every
 * chunk made a 100 MB line take minutes). `joins` counts the joins, for the test that checks this.
 */
export async function* readJsonLines(file: string, joins = { count: 0 }): AsyncGenerator<RawRow> {
  let pending: Buffer[] = [];
  let line = 0;
  const emit = (bytes: Buffer): RawRow | undefined => {
    line++;
    const text = decode(file, line, bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes);
    if (text instanceof BadRowError) return { line, error: text };
    if (!text.trim()) return undefined;
    try {
      return { line, value: JSON.parse(text) };
    } catch (error) {
      return {
        line,
        error: new BadRowError({ file, line }, 'not-json', undefined, `not valid JSON (${(error as Error).message})`),
      };
    }
  };
  const take = (last: Buffer): Buffer => {
    if (pending.length === 0) return last;
    joins.count++;
    const whole = Buffer.concat([...pending, last]);
    pending = [];
    return whole;
  };
  for await (const c of openBytes(file)) {
    let chunk = c as Buffer;
    let newline: number;
    while ((newline = chunk.indexOf(0x0a)) >= 0) {
      const row = emit(take(chunk.subarray(0, newline)));
      chunk = chunk.subarray(newline + 1);
      if (row) yield row;
    }
    if (chunk.length) pending.push(chunk);
  }
  if (pending.length) {
    const row = emit(take(Buffer.alloc(0)));
    // a last line with no newline that does not parse is where a download or copy was cut
    if (row && 'error' in row && row.error.reason === 'not-json')
      throw cutShort(file, line, `its last line is not valid JSON and has no newline`);
    if (row) yield row;
  }
}

/** A file cut short stops the load in every mode: skipping would pass half a file off as all of it. */
function cutShort(file: string, line: number, what: string): Error {
  return new Error(
    `${file}:${line}: ${what}: the file is cut short (an interrupted download or copy?); ` +
      `the rows past the cut would be lost, so the load stops whatever data.onBadRow says`,
  );
}

/**
 * Elements of a top-level JSON array, found by tracking nesting depth and strings byte by byte. A byte
 * order mark before it is skipped; anything but white space after its closing "]" is an error (it would
 * otherwise be rows silently lost).
 */
async function* readJsonArray(file: string): AsyncGenerator<RawRow> {
  let depth = 0,
    inString = false,
    escaped = false,
    line = 1,
    elementLine = 1,
    closed = false,
    start = true;
  let parts: Buffer[] = [];
  const finish = (): RawRow | undefined => {
    const bytes = Buffer.concat(parts);
    parts = [];
    const leading = /^\s*/.exec(bytes.toString('latin1'))![0];
    const at = elementLine + (leading.match(/\n/g) ?? []).length;
    const text = decode(file, at, bytes);
    if (text instanceof BadRowError) return { line: at, error: text };
    if (!text.trim()) return undefined;
    try {
      return { line: at, value: JSON.parse(text) };
    } catch (error) {
      return {
        line: at,
        error: new BadRowError(
          { file, line: at },
          'not-json',
          undefined,
          `array element is not valid JSON (${(error as Error).message})`,
        ),
      };
    }
  };
  for await (const c of openBytes(file)) {
    let chunk = c as Buffer;
    if (start && UTF8_BOM.every((b, i) => chunk[i] === b)) chunk = chunk.subarray(3);
    start = false;
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x0a) line++;
      if (closed) {
        if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
        // not a row to skip: whatever follows cannot be read as rows, so this stops the load in any mode
        throw new Error(
          `${file}:${line}: content after the JSON array's closing "]" (two arrays, ` +
            `or an edit gone wrong?); rows there would be lost, so the load stops`,
        );
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
        continue;
      }
      if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) {
        if (++depth === 1) {
          from = i + 1;
          elementLine = line;
          continue;
        } // the array's own "["
      } else if (b === 0x7d || b === 0x5d) depth--;
      if (depth === 0 && b !== 0x5d) continue; // whitespace before the array
      if ((depth === 1 && b === 0x2c) || (depth === 0 && b === 0x5d)) {
        parts.push(chunk.subarray(from, i));
        const row = finish();
        if (row) yield row;
        from = i + 1;
        elementLine = line;
        if (depth === 0) closed = true;
      }
    }
    if (depth > 0) parts.push(chunk.subarray(from));
  }
  if (!closed) throw cutShort(file, line, 'the JSON array is not closed');
}

/**
 * Rows of a CSV or TSV file with a header row, as objects keyed by column name; `line` is the physical
 * line the row starts on (the header is line 1; a quoted cell may span lines). papaparse parses without
 * its header mode: in a stream, that mode renames repeated cells of data rows as if they were repeated
 * column names ("B" -> "B_1"; PapaParse PR #1131), so the header is read here, once. Repeated column
 * names become name, name_1, name_2 as papaparse names them; a row with more cells than the header is a
 * bad row, one with fewer lacks the missing columns.
 */
export async function* readCsvRows(file: string, delimiter?: string): AsyncGenerator<RawRow> {
  let bytesLine = 1;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const utf8 = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        bytesLine += (text.match(/\n/g) ?? []).length;
        done(null, text);
      } catch {
        done(
          new BadRowError(
            { file, line: bytesLine },
            'not-utf8',
            undefined,
            'bytes that are not valid UTF-8 (convert the file to UTF-8)',
          ),
        );
      }
    },
  });
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
    header: false,
    skipEmptyLines: false,
    delimiter: delimiter ?? (/\.tsv(\.gz)?$/i.test(file) ? '\t' : ''),
  });
  const rows = openBytes(file).pipe(utf8);
  rows.on('error', (e) => parser.destroy(e));
  rows.pipe(parser);
  let header: string[] | undefined;
  let next = 1; // the physical line the next record starts on
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      const line = next;
      next += 1 + cells.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g) ?? []).length, 0);
      if (cells.every((cell) => cell.trim() === '')) continue; // a blank line
      if (!header) {
        header = uniqueColumnNames(cells);
        continue;
      }
      if (cells.length > header.length) {
        yield {
          line,
          error: new BadRowError(
            { file, line },
            'cell-count',
            undefined,
            `${cells.length} cells where the header has ${header.length} columns ` +
              `(an unquoted delimiter or quote in a cell?)`,
          ),
        };
        continue;
      }
      yield { line, value: Object.fromEntries(cells.map((cell, i) => [header![i], cell])) };
    }
  } catch (error) {
    // A CSV parser cannot find the next row after bytes it cannot decode, so skipping would lose the
    // rest of the file silently: invalid UTF-8 stops the load whatever data.onBadRow says.
    if (error instanceof BadRowError)
      throw new Error(
        `${error.message}; a CSV file cannot be read past it, so this stops the load even with data.onBadRow "skip"`,
      );
    throw error;
  }
}

/** Column names with repeats made distinct as papaparse names them: a, a_1, a_2. */
function uniqueColumnNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let k = 1; seen.has(unique); k++) unique = `${name}_${k}`;
    seen.add(unique);
    return unique;
  });
}
