// Where tests get public datasets and models: fetched, as a user would with `spo data fetch --from`,
// from a mirror folder: $SPO_MIRROR, or else the `shared` mirror CI lays beside the repository. A
// user's clone has neither, and the tests that need one skip, naming the command that enables them.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchArtifact, mirrorFolder } from './fetch-artifact.js';
import { publicArtifact } from './public-artifacts.js';

const repositoryRoot = join(import.meta.dirname, '../../../..');

/** The mirror folder tests fetch from, if there is one. */
export function testMirror(): string | undefined {
  const mirror = process.env.SPO_MIRROR ?? join(repositoryRoot, '..', 'shared');
  return existsSync(mirror) ? mirror : undefined;
}

/**
 * The folder of a fetched copy of `name` (sha256-checked into the temp folder; kept between runs),
 * or, in `skip`, why it is not there and what enables the test.
 */
export async function fetchForTest(name: string): Promise<{ dir: string; skip: string | false }> {
  const artifact = publicArtifact(name);
  const dir = join(tmpdir(), 'spo-test-fetch', name);
  const mirror = testMirror();
  if (!mirror || !existsSync(mirrorFolder(artifact, mirror))) {
    return {
      dir,
      skip:
        `skipped: needs ${name}, which no mirror holds ` +
        `(set SPO_MIRROR to a folder holding ${name}/, or fetch it: npm run spo -- data fetch ${name})`,
    };
  }
  await fetchArtifact(artifact, { to: dir, from: mirror });
  return { dir, skip: false };
}
