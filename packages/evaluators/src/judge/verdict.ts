// Reading the judge's verdict: the last non-empty line must be the letter A or B, optionally after a
// label ("Verdict:", "More helpful:", "Better summary:"), a noun ("Reply A", "Summary B"), and wrapped
// in quotes, brackets or markdown. Anything else is no verdict.
export type Verdict = 'A' | 'B';

export function parseVerdict(text: string): Verdict | undefined {
  const last = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  if (last === undefined) return undefined;
  const value = last
    .replace(/^[^:]{0,40}:\s*/, '')
    .replace(/^[\s*_"'`([{]+|[\s*_"'`)\]}.!]+$/g, '')
    .replace(/^(reply|answer|summary|response)\s+/i, '')
    .trim();
  const upper = value.toUpperCase();
  return upper === 'A' || upper === 'B' ? upper : undefined;
}
