// Putting a public dataset's or model's files in place: each file is checked against its size and
// sha256 and written atomically, from a local mirror folder (`from`, for machines without the network)
// or from its URL. Files already in place with the right sha256 are kept; nothing half-downloaded or
// unverified is ever left where a run would read it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File, writeFileAtomic } from '@spo/engine';
import type { PublicArtifact, PublicFile } from './public-artifacts.js';

export interface FetchOptions {
  /** Folder the artifact goes into (its files at their relative paths). */
  to: string;
  /**
   * A local mirror (the network is not used): a folder holding <name>/<files>, or one holding
   * data/<name>/ and models/<name>/ (a copy of a machine's data and models folders side by side).
   */
  from?: string;
  log?: (line: string) => void;
}

export interface FetchResult {
  file: string;
  how: 'kept' | 'mirror' | 'downloaded';
}

/** Where a mirror keeps an artifact: <from>/<name>, else <from>/data/<name> or <from>/models/<name>. */
export function mirrorFolder(a: PublicArtifact, from: string): string {
  const nested = join(from, a.kind === 'model' ? 'models' : 'data', a.name);
  return !existsSync(join(from, a.name)) && existsSync(nested) ? nested : join(from, a.name);
}

function check(f: PublicFile, bytes: Uint8Array, source: string): void {
  if (bytes.length !== f.bytes)
    throw new Error(
      `${source}: ${bytes.length} bytes, ${f.path} should have ${f.bytes}; the copy is cut short or another version`,
    );
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== f.sha256)
    throw new Error(`${source}: sha256 ${sha} is not ${f.path}'s ${f.sha256}; the copy is damaged or another version`);
}

/** What an offline user needs to know: what a mirror folder holds and how to pass it. */
const offline = (a: PublicArtifact) =>
  `offline, copy the files from a machine that has them into a folder holding ${a.name}/ ` +
  `(or ${a.kind === 'model' ? 'models' : 'data'}/${a.name}/) and pass that folder with --from`;

async function download(a: PublicArtifact, f: PublicFile): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(f.url, { redirect: 'follow' });
  } catch (error) {
    throw new Error(
      `could not download ${f.url} ` +
        `(${(error as Error).cause ? ((error as Error).cause as Error).message : (error as Error).message}); ` +
        offline(a),
      { cause: error },
    );
  }
  if (!response.ok) throw new Error(`could not download ${f.url}: HTTP ${response.status}; ${offline(a)}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function fetchArtifact(a: PublicArtifact, o: FetchOptions): Promise<FetchResult[]> {
  const log = o.log ?? (() => {});
  const mirror = o.from === undefined ? undefined : mirrorFolder(a, o.from);
  const results: FetchResult[] = [];
  for (const f of a.files) {
    const target = join(o.to, f.path);
    if (existsSync(target) && sha256File(target) === f.sha256) {
      results.push({ file: target, how: 'kept' });
      continue;
    }
    let bytes: Uint8Array;
    if (mirror) {
      const source = join(mirror, f.path);
      if (!existsSync(source))
        throw new Error(
          `the mirror ${o.from} has no ${f.path} of ${a.name} (expected ${source}; ` +
            `a mirror holds ${a.name}/ or ${a.kind === 'model' ? 'models' : 'data'}/${a.name}/)`,
        );
      bytes = readFileSync(source);
      check(f, bytes, source);
    } else {
      log(`[fetch] ${a.name}: downloading ${f.url} (${(f.bytes / 1e6).toFixed(1)} MB)`);
      bytes = await download(a, f);
      check(f, bytes, f.url);
    }
    writeFileAtomic(target, bytes);
    results.push({ file: target, how: mirror ? 'mirror' : 'downloaded' });
  }
  log(
    `[fetch] ${a.name}: ${results.length} files in ${o.to} ` +
      `(${results.filter((r) => r.how === 'kept').length} already there), sha256 checked`,
  );
  return results;
}
