// List items in prose: a line that starts with a bullet ("-", "*", "+", "•") or an enumerator ("1.",
// "2)", "a.", "(iii)") followed by a space. The marker is structure, not content: pruning never deletes
// it on its own, never reads its "." as the end of a sentence, and removes it only together with an
// item whose content is all gone.

const MARKER = /^[ \t]*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)]|\((?:\d{1,3}|[a-z]|[ivx]{1,5})\))[ \t]+(?=\S)/gm;

export interface Range {
  start: number;
  end: number;
}

/** The character range of each list marker in `text` (leading indentation and the space after included). */
export function listMarkerRanges(text: string): Range[] {
  return [...text.matchAll(MARKER)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
}

export function insideAny(ranges: readonly Range[], start: number, end: number): boolean {
  return ranges.some((r) => start >= r.start && end <= r.end);
}
