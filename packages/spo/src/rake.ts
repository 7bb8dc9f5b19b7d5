// RAKE, Rapid Automatic Keyword Extraction (Rose et al., 2010): candidate phrases are maximal runs of
// words between stop words, punctuation and line breaks; a word scores degree(w) / frequency(w), where
// degree is the summed length of the candidate phrases it occurs in; a phrase scores the sum of its
// words. A phrase that occurs several times is one key phrase with several spans.
import { ENGLISH_STOPWORDS } from './stopwords.js';
import { wordTokens, isContentWord } from './words.js';

export interface KeyPhrase {
  /** The phrase as first written (its case kept). */
  phrase: string;
  score: number;
  /** Character spans [start, end) of every occurrence in the text. */
  spans: { start: number; end: number }[];
}

/** Candidate phrases of a text, best score first (ties: the earlier first). */
export function rakePhrases(text: string, stopwords: ReadonlySet<string> = ENGLISH_STOPWORDS): KeyPhrase[] {
  const tokens = wordTokens(text);
  const runs: (typeof tokens)[] = [];
  let run: typeof tokens = [];
  for (const t of tokens) {
    if (!isContentWord(t, stopwords) || t.gap.includes('\n')) {
      if (run.length) runs.push(run);
      run = isContentWord(t, stopwords) ? [t] : [];
    } else run.push(t);
  }
  if (run.length) runs.push(run);

  const degree = new Map<string, number>(),
    frequency = new Map<string, number>();
  for (const r of runs) {
    for (const t of r) {
      const w = t.text.toLowerCase();
      frequency.set(w, (frequency.get(w) ?? 0) + 1);
      degree.set(w, (degree.get(w) ?? 0) + r.length);
    }
  }
  const phrases = new Map<string, KeyPhrase>();
  for (const r of runs) {
    const key = r.map((t) => t.text.toLowerCase()).join(' ');
    const span = { start: r[0].start, end: r[r.length - 1].end };
    const seen = phrases.get(key);
    if (seen) seen.spans.push(span);
    else
      phrases.set(key, {
        phrase: text.slice(span.start, span.end),
        score: r.reduce((acc, t) => acc + degree.get(t.text.toLowerCase())! / frequency.get(t.text.toLowerCase())!, 0),
        spans: [span],
      });
  }
  return [...phrases.values()].sort((a, b) => b.score - a.score || a.spans[0].start - b.spans[0].start);
}
