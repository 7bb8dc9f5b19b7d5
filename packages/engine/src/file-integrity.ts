// Files the project reads back can be damaged (a disk error, a copy cut short, a hand edit). Folders it
// must trust, checkpoints above all, carry checksums.json: each file's size and sha256, written last,
// checked on load. JSON state files are read through readJsonFile, whose error names the file, what is
// wrong and what to do about it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonText } from './json-text.js';

export const CHECKSUMS_FILE = 'checksums.json';

type Checksums = Record<string, { bytes: number; sha256: string }>;

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Record the size and sha256 of every file directly in `dir` (call it once the folder is complete). */
export function writeChecksums(dir: string): void {
  const sums: Checksums = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === CHECKSUMS_FILE || !statSync(path).isFile()) continue;
    sums[name] = { bytes: statSync(path).size, sha256: sha256File(path) };
  }
  writeFileSync(join(dir, CHECKSUMS_FILE), `${JSON.stringify(sums, null, 2)}\n`);
}

/**
 * What is wrong with the files of `dir` against its checksums.json: [] when every file matches. A
 * folder without checksums.json is a problem too: this project writes one into every folder it must
 * trust, so its absence means the folder was cut short or altered, and nothing in it can be verified.
 */
export function checksumProblems(dir: string): string[] {
  const path = join(dir, CHECKSUMS_FILE);
  if (!existsSync(path))
    return [
      `${CHECKSUMS_FILE} is missing, so no file here can be verified ` +
        `(written last, with every folder this project must trust)`,
    ];
  let sums: Checksums;
  try {
    sums = JSON.parse(readFileSync(path, 'utf8')) as Checksums;
  } catch {
    return [`${CHECKSUMS_FILE} is not valid JSON`];
  }
  const problems: string[] = [];
  for (const [name, want] of Object.entries(sums)) {
    const file = join(dir, name);
    if (!existsSync(file)) problems.push(`${name} is missing`);
    else if (statSync(file).size !== want.bytes)
      problems.push(`${name} has ${statSync(file).size} bytes, ${want.bytes} were written`);
    else if (sha256File(file) !== want.sha256) problems.push(`${name} does not match the sha256 written with it`);
  }
  return problems;
}

/** Parse a JSON file, or throw an error that names it, says what is wrong and what to do (`advice`). */
export function readJsonFile<T = unknown>(path: string, advice: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${advice}`,
      { cause: error },
    );
  }
  return parseJsonText<T>(text, path, `the file is damaged; ${advice}`);
}
