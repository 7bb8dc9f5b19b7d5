// Cutting key content out of a text while keeping it well formed. Only the seams that a deletion makes
// are touched; the rest of the text stays byte for byte as it was:
// - the whitespace at a seam is the following token's own (or the deleted run's line break, if any),
//   so no double spaces, no space before a comma, and paragraphs stay paragraphs;
// - punctuation left dangling at a seam is dropped (", ." -> ".", a sentence cannot start with ",";
//   a "-" that starts a line is a list bullet and stays),
//   and brackets or quotes left empty go;
// - a sentence that loses all its content words goes altogether;
// - a sentence whose capitalised first word was cut starts with a capital again.
import { ENGLISH_STOPWORDS } from './stopwords.js';
import { wordTokens, isContentWord, type WordToken } from './words.js';

const SENTENCE_END = new Set(['.', '!', '?']);
const JOINERS = new Set([',', ';', ':', '-', '–', '—']);
const OPENERS = new Set(['(', '[', '{', '“', '‘']);
const CLOSERS = new Set([')', ']', '}', '"', '”', "'", '’']);
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '"': '"', '”': '“', "'": "'", '’': '‘' };

export function deleteSpans(text: string, spans: readonly { start: number; end: number }[]): string {
  const tokens = wordTokens(text);
  const gone = tokens.map((t) => spans.some((s) => t.start >= s.start && t.end <= s.end));
  dropEmptiedSentences(tokens, gone);
  if (!gone.some(Boolean)) return text;

  const out: { text: string; gap: string; isWord: boolean }[] = [];
  let seamGaps: string[] | null = null; // gaps of the deleted run before the next kept token
  let capitalise = false;
  tokens.forEach((t, i) => {
    if (gone[i]) {
      if (seamGaps === null) {
        seamGaps = [];
        capitalise = startsSentence(tokens, i) && /^\p{Lu}/u.test(t.text);
      }
      seamGaps.push(t.gap);
      return;
    }
    if (seamGaps === null) return out.push({ text: t.text, gap: t.gap, isWord: t.isWord });
    const prev = out[out.length - 1];
    if (!t.isWord) {
      if (prev && !prev.isWord && PAIRS[t.text] === prev.text) { // "(" + ")" left empty
        out.pop();
        return seamGaps.push(prev.gap, t.gap);
      }
      const startsLine = [...seamGaps, t.gap].some((g) => g.includes('\n')); // a "-" bullet, not a dash
      const dangling = !startsLine && (JOINERS.has(t.text) || SENTENCE_END.has(t.text));
      if (dangling && (prev === undefined || (!prev.isWord && (JOINERS.has(prev.text) || SENTENCE_END.has(prev.text) || OPENERS.has(prev.text))))) {
        if (prev && SENTENCE_END.has(t.text) && JOINERS.has(prev.text)) prev.text = t.text; // ", ." -> "."
        return seamGaps.push(t.gap);
      }
    }
    const gaps = [...seamGaps, t.gap];
    const newlines = (g: string) => (g.match(/\n/g) ?? []).length;
    const paragraph = gaps.reduce((best, g) => (newlines(g) > newlines(best) ? g : best), '');
    // after an opening bracket the seam keeps the spacing that followed it
    const gap = prev === undefined ? tokens[0].gap : paragraph || (OPENERS.has(prev.text) ? seamGaps[0] : t.gap);
    const word = capitalise && t.isWord ? t.text[0].toUpperCase() + t.text.slice(1) : t.text;
    out.push({ text: word, gap, isWord: t.isWord });
    seamGaps = null;
    capitalise = false;
  });
  const trailing = text.slice(tokens[tokens.length - 1].end);
  return out.map((t) => t.gap + t.text).join('') + (out.length ? trailing : '');
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

/** Sentences (ended by . ! ? or a line break) that a deletion left without a content word go entirely. */
function dropEmptiedSentences(tokens: readonly WordToken[], gone: boolean[]): void {
  let start = 0;
  const close = (end: number) => {
    const range = tokens.slice(start, end).map((t, k) => ({ t, gone: gone[start + k] }));
    if (range.some((x) => x.gone) && !range.some((x) => !x.gone && isContentWord(x.t, ENGLISH_STOPWORDS))) gone.fill(true, start, end);
    start = end;
  };
  tokens.forEach((t, i) => {
    if (i > start && t.gap.includes('\n')) close(i);
    if (SENTENCE_END.has(t.text)) {
      let end = i + 1;
      while (end < tokens.length && tokens[end].gap === '' && CLOSERS.has(tokens[end].text)) end++;
      close(end);
    }
  });
  if (start < tokens.length) close(tokens.length);
}
