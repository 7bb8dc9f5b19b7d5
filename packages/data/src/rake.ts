// RAKE, Rapid Automatic Keyword Extraction (Rose et al., 2010): candidate phrases are maximal runs of
// words between stop words and punctuation; a word scores degree(w) / frequency(w), where degree is
// the summed length of the candidate phrases it occurs in; a phrase scores the sum of its words.
import { ENGLISH_STOPWORDS } from './stopwords.js';

export interface KeyPhrase {
  phrase: string;
  score: number;
  /** Word span [start, end) in the whitespace-split text. */
  start: number;
  end: number;
}

const PUNCTUATION = /^[^\p{L}\p{N}]+$/u;

/** Candidate phrases of a whitespace-tokenised text, best score first (ties: earlier first). */
export function rakePhrases(text: string, stopwords: ReadonlySet<string> = ENGLISH_STOPWORDS): KeyPhrase[] {
  const words = text.split(/\s+/).filter(Boolean);
  const spans: [number, number][] = [];
  let start = -1;
  words.forEach((w, i) => {
    const breaks = PUNCTUATION.test(w) || stopwords.has(w.toLowerCase());
    if (breaks && start >= 0) {
      spans.push([start, i]);
      start = -1;
    } else if (!breaks && start < 0) start = i;
  });
  if (start >= 0) spans.push([start, words.length]);
  const degree = new Map<string, number>(), frequency = new Map<string, number>();
  for (const [s, e] of spans) {
    for (let i = s; i < e; i++) {
      const w = words[i].toLowerCase();
      frequency.set(w, (frequency.get(w) ?? 0) + 1);
      degree.set(w, (degree.get(w) ?? 0) + (e - s));
    }
  }
  return spans
    .map(([s, e]) => ({
      phrase: words.slice(s, e).join(' '),
      score: words.slice(s, e).reduce((acc, w) => acc + degree.get(w.toLowerCase())! / frequency.get(w.toLowerCase())!, 0),
      start: s,
      end: e,
    }))
    .sort((a, b) => b.score - a.score || a.start - b.start);
}
