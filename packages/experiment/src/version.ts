// What `spo --version` prints: the project's version and the commit the code came from (with
// "+changes" when the tracked files outside reports/ differ from it), so a result can be traced to its code.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The commit of the checkout the code runs from ("abc123def456", "+changes" if edited), or undefined outside git. */
export function sourceCommit(): string | undefined {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short=12', 'HEAD');
    // changed code, not changed outputs: the report folders being rewritten is not a change to what made them
    return git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)reports')
      ? `${commit}+changes`
      : commit;
  } catch {
    return undefined;
  }
}

export function versionLine(): string {
  const { name, version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    name: string;
    version: string;
  };
  return `${name} ${version} (commit ${sourceCommit() ?? 'unknown: not a git checkout'})`;
}
