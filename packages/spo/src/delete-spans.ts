// Cutting key content out of a text while keeping it well formed. Only the seams that a deletion makes
// are touched; the rest of the text stays byte for byte as it was:
// - the whitespace at a seam is the following token's own (or the deleted run's line break, if any),
//   so no double spaces, no space before a comma, and paragraphs stay paragraphs;
// - punctuation left dangling at a seam is dropped (", ." -> ".", a sentence cannot start with ",";
//   a "-" that starts a line is a list bullet and stays),
//   and brackets or quotes left empty go;
// - a sentence that loses all its content words goes altogether;
// - a sentence whose capitalised first word was cut starts with a capital again;
// - list markers ("- ", "1. ") are never cut on their own, and a list item whose content is all gone
//   goes with its marker;
// - markdown emphasis and code markers left with nothing between them ("** **", "``") go.
import { insideAny, listMarkerRanges, type Range } from './list-items.js';
import { ENGLISH_STOPWORDS } from './stopwords.js';
import { wordTokens, isContentWord, type WordToken } from './words.js';

const SENTENCE_END = new Set(['.', '!', '?']);
const JOINERS = new Set([',', ';', ':', '-', '–', '—']);
const OPENERS = new Set(['(', '[', '{', '“', '‘']);
const CLOSERS = new Set([')', ']', '}', '"', '”', "'", '’']);
/** Markdown emphasis and code markers: attached to the word they open, like a bracket. */
const EMPHASIS = /^[*_~`]$/;
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '"': '"', '”': '“', "'": "'", '’': '‘' };

export function deleteSpans(text: string, spans: readonly { start: number; end: number }[]): string {
  const tokens = wordTokens(text);
  const markers = listMarkerRanges(text);
  const isMarker = tokens.map((t) => insideAny(markers, t.start, t.end));
  const gone = tokens.map((t, i) => !isMarker[i] && spans.some((s) => t.start >= s.start && t.end <= s.end));
  dropEmptiedEmphasis(tokens, gone, isMarker);
  dropEmptiedSentences(tokens, gone, isMarker);
  dropEmptiedItems(tokens, gone, isMarker, markers);
  if (!gone.some(Boolean)) return text;

  const out: { text: string; gap: string; isWord: boolean }[] = [];
  let seamGaps: string[] | null = null; // gaps of the deleted run before the next kept token
  let capitalise = false,
    seamStartsSentence = false,
    seamWords = 0;
  tokens.forEach((t, i) => {
    if (gone[i]) {
      if (seamGaps === null) {
        seamGaps = [];
        seamStartsSentence = startsSentence(tokens, i);
        seamWords = 0;
      }
      // the seam's first word, after any markers ("**Green tea** is" loses "**Green tea**")
      if (t.isWord && seamWords++ === 0) capitalise = seamStartsSentence && /^\p{Lu}/u.test(t.text);
      seamGaps.push(t.gap);
      return;
    }
    if (seamGaps === null) return out.push({ text: t.text, gap: t.gap, isWord: t.isWord });
    const prev = out[out.length - 1];
    if (!t.isWord) {
      if (prev && !prev.isWord && PAIRS[t.text] === prev.text) {
        // "(" + ")" left empty
        out.pop();
        return seamGaps.push(prev.gap, t.gap);
      }
      const startsLine = [...seamGaps, t.gap].some((g) => g.includes('\n')); // a "-" bullet, not a dash
      const dangling = !startsLine && (JOINERS.has(t.text) || SENTENCE_END.has(t.text));
      if (
        dangling &&
        (prev === undefined ||
          (!prev.isWord && (JOINERS.has(prev.text) || SENTENCE_END.has(prev.text) || OPENERS.has(prev.text))))
      ) {
        if (prev && SENTENCE_END.has(t.text) && JOINERS.has(prev.text)) prev.text = t.text; // ", ." -> "."
        return seamGaps.push(t.gap);
      }
    }
    const gaps = [...seamGaps, t.gap];
    const newlines = (g: string) => (g.match(/\n/g) ?? []).length;
    const paragraph = gaps.reduce((best, g) => (newlines(g) > newlines(best) ? g : best), '');
    // after an opening bracket, or an emphasis marker attached to the cut word, the seam keeps the
    // spacing that followed it
    const opener = prev !== undefined && (OPENERS.has(prev.text) || (EMPHASIS.test(prev.text) && seamGaps[0] === ''));
    const gap = prev === undefined ? tokens[0].gap : paragraph || (opener ? seamGaps[0] : t.gap);
    const word = capitalise && t.isWord ? t.text[0].toUpperCase() + t.text.slice(1) : t.text;
    out.push({ text: word, gap, isWord: t.isWord });
    seamGaps = null;
    capitalise = false;
  });
  const trailing = text.slice(tokens[tokens.length - 1].end);
  return out.map((t) => t.gap + t.text).join('') + (out.length ? trailing : '');
}

/**
 * Markdown emphasis and code markers ("**", "_", "~~", "`") pair up within a line, first with second;
 * a pair whose content is all gone goes with it, so no "** **" or "``" is left behind.
 */
function dropEmptiedEmphasis(tokens: readonly WordToken[], gone: boolean[], isMarker: readonly boolean[]): void {
  const runs: { first: number; last: number; text: string; line: number }[] = [];
  let line = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].gap.includes('\n')) line++;
    if (isMarker[i] || !/^[*_~`]$/.test(tokens[i].text)) continue;
    let j = i;
    while (j + 1 < tokens.length && tokens[j + 1].text === tokens[i].text && tokens[j + 1].gap === '') j++;
    runs.push({ first: i, last: j, text: tokens[i].text.repeat(j - i + 1), line });
    i = j;
  }
  const open = new Map<string, (typeof runs)[number]>();
  for (const r of runs) {
    const key = `${r.line}:${r.text}`;
    const o = open.get(key);
    if (!o) {
      open.set(key, r);
      continue;
    }
    open.delete(key);
    const inside = Array.from({ length: r.first - o.last - 1 }, (_, k) => o.last + 1 + k);
    if (inside.length > 0 && inside.every((k) => gone[k])) {
      gone.fill(true, o.first, o.last + 1);
      gone.fill(true, r.first, r.last + 1);
    }
  }
}

/** A list item whose every token but its marker is gone goes entirely, marker and line. */
function dropEmptiedItems(
  tokens: readonly WordToken[],
  gone: boolean[],
  isMarker: readonly boolean[],
  markers: readonly Range[],
): void {
  for (const [m, marker] of markers.entries()) {
    const lineEnd = (() => {
      const next = markers[m + 1]?.start ?? Infinity;
      const i = tokens.findIndex((t) => t.start >= marker.end && (t.gap.includes('\n') || t.start >= next));
      return i < 0 ? tokens.length : i;
    })();
    const first = tokens.findIndex((t) => t.start >= marker.start);
    if (first < 0) continue;
    const body = Array.from({ length: lineEnd - first }, (_, k) => first + k).filter((i) => !isMarker[i]);
    if (body.length > 0 && body.every((i) => gone[i])) gone.fill(true, first, lineEnd);
  }
}

/** Whether token i is the first word of its sentence. */
function startsSentence(tokens: readonly WordToken[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    if (tokens[j + 1].gap.includes('\n')) return true;
    if (SENTENCE_END.has(tokens[j].text)) return true;
    if (tokens[j].isWord) return false;
  }
  return true;
}

/**
 * Sentences (ended by . ! ? or a line break) that a deletion left without a content word go entirely.
 * A list marker's "." ends nothing, and its number is not content.
 */
function dropEmptiedSentences(tokens: readonly WordToken[], gone: boolean[], isMarker: readonly boolean[]): void {
  let start = 0;
  const close = (end: number) => {
    const range = tokens.slice(start, end).map((t, k) => ({ t, gone: gone[start + k], marker: isMarker[start + k] }));
    if (range.some((x) => x.gone) && !range.some((x) => !x.gone && !x.marker && isContentWord(x.t, ENGLISH_STOPWORDS)))
      gone.fill(true, start, end);
    start = end;
  };
  tokens.forEach((t, i) => {
    if (i > start && t.gap.includes('\n')) close(i);
    if (SENTENCE_END.has(t.text) && !isMarker[i]) {
      let end = i + 1;
      while (end < tokens.length && tokens[end].gap === '' && CLOSERS.has(tokens[end].text)) end++;
      close(end);
    }
  });
  if (start < tokens.length) close(tokens.length);
}
