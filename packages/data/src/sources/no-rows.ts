// A load that keeps no rows is an error: it says how many were read and why each was dropped, and,
// when the rows lack the fields the config reads, which of the rows' own field names look nearest.
import type { LoadSummary } from './load-source-files.js';

/** Levenshtein distance, case-insensitive, ignoring "_", "-" and spaces. */
function distance(a: string, b: string): number {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const x = norm(a),
    y = norm(b);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** What public preference sets call the fields this project reads. */
const SYNONYMS: Record<string, string[]> = {
  prompt: [
    'question',
    'instruction',
    'query',
    'input',
    'context',
    'history',
    'conversations',
    'post',
    'text',
    'messages',
  ],
  chosen: ['preferred', 'better', 'winner', 'good', 'accepted', 'positive', 'response_a', 'output'],
  rejected: ['dispreferred', 'worse', 'loser', 'bad', 'negative', 'response_b'],
  responses: ['completions', 'outputs', 'answers', 'candidates', 'generations'],
  scores: ['ratings', 'rewards', 'score', 'rating'],
  ranks: ['ranking', 'rank', 'order'],
};

/** The candidates nearest to `name` (at most 3), nearest first: by spelling, containment or a known synonym. */
export function nearestNames(name: string, candidates: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const synonyms = SYNONYMS[lower] ?? [];
  return candidates
    .map((c) => ({ c, d: synonyms.some((s) => c.toLowerCase().includes(s)) ? 0.5 : distance(name, c) }))
    .filter(
      ({ c, d }) =>
        d <= Math.max(2, Math.ceil(name.length / 2)) ||
        c.toLowerCase().includes(lower) ||
        lower.includes(c.toLowerCase()),
    )
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ c }) => c);
}

/**
 * The error for a load that kept nothing (`stage` says after which step): rows read, drops by reason
 * with an example each, and for each field the config reads that the rows do not have, the nearest
 * field names they do have.
 */
export function noRowsError(load: LoadSummary, readFields: readonly string[], stage: string): Error {
  const files = load.files.map((f) => f.file).join(', ');
  const lines = [`data.files: no rows kept ${stage} (${load.rowsRead} read from ${files})`];
  for (const [reason, n] of Object.entries(load.badRows.dropped)) {
    lines.push(
      `  ${n} dropped as ${reason}, ` +
        `e.g. ${load.badRows.examples[reason as keyof typeof load.badRows.examples]?.[0] ?? ''}`,
    );
  }
  const seen = load.fieldsSeen;
  if (seen.length) {
    const absent = readFields.filter((f) => !seen.includes(f) && !seen.some((s) => s.startsWith(`${f}.`)));
    for (const f of absent) {
      const near = nearestNames(f, seen);
      lines.push(
        `  the rows have no field ` +
          `"${f}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''} ` +
          `(set the name in data.fields, or use data.label / data.promptTemplate)`,
      );
    }
    lines.push(`  the first row's fields: ${seen.slice(0, 30).join(', ')}`);
  }
  return new Error(lines.join('\n'));
}
