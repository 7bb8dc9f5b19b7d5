// Key content extractors for SPO's pruning (docs/architecture.md §1): what counts as a response's key content.
// - rake:   RAKE key phrases (rake.ts).
// - tfidf:  content words ranked by tf-idf against the set of responses being pruned.
// - random: content words in a seeded random order (the ablation with no notion of importance).
// Each returns key phrases best first; `keyShare` keeps the top share of them as the key content.
import type { Rng } from '@spo/engine';
import { rakePhrases, type KeyPhrase } from './rake.js';
import { ENGLISH_STOPWORDS } from './stopwords.js';
import { wordTokens, isContentWord } from './words.js';
import { insideAny, listMarkerRanges } from './list-items.js';

export const KEY_CONTENT_EXTRACTORS = ['rake', 'tfidf', 'random'] as const;
export type KeyContentExtractor = (typeof KEY_CONTENT_EXTRACTORS)[number];

/** In how many documents each content word (lower case) occurs: tf-idf's corpus statistics. */
export interface DocumentFrequency {
  documents: number;
  counts: Map<string, number>;
}

export function documentFrequency(texts: Iterable<string>): DocumentFrequency {
  const counts = new Map<string, number>();
  let documents = 0;
  for (const text of texts) {
    documents++;
    for (const w of new Set(contentWords(text).map((t) => t.text.toLowerCase())))
      counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return { documents, counts };
}

const contentWords = (text: string) => wordTokens(text).filter((t) => isContentWord(t, ENGLISH_STOPWORDS));

/** Each distinct content word as a one-word key phrase with all its occurrences, scored by `score`. */
function wordPhrases(text: string, score: (word: string, termFrequency: number) => number): KeyPhrase[] {
  const byWord = new Map<string, KeyPhrase>();
  for (const t of contentWords(text)) {
    const w = t.text.toLowerCase();
    const seen = byWord.get(w);
    if (seen) seen.spans.push({ start: t.start, end: t.end });
    else byWord.set(w, { phrase: t.text, score: 0, spans: [{ start: t.start, end: t.end }] });
  }
  const phrases = [...byWord.entries()].map(([w, p]) => ({ ...p, score: score(w, p.spans.length) }));
  return phrases.sort((a, b) => b.score - a.score || a.spans[0].start - b.spans[0].start);
}

export interface KeyContentOptions {
  extractor: KeyContentExtractor;
  /** Share of the extracted phrases (best first) that counts as key content, in (0, 1]. */
  keyShare: number;
  /** Needed by tfidf. */
  documentFrequency?: DocumentFrequency;
}

export function keyPhrases(text: string, options: KeyContentOptions, rng: Rng): KeyPhrase[] {
  let phrases: KeyPhrase[];
  switch (options.extractor) {
    case 'rake':
      phrases = rakePhrases(text);
      break;
    case 'tfidf': {
      const df = options.documentFrequency;
      if (!df) throw new Error('the tfidf extractor needs document frequencies over the responses being pruned');
      // smoothed idf, as scikit-learn's TfidfVectorizer: ln((1 + N) / (1 + df)) + 1
      phrases = wordPhrases(text, (w, tf) => tf * (Math.log((1 + df.documents) / (1 + (df.counts.get(w) ?? 0))) + 1));
      break;
    }
    case 'random':
      phrases = rng.shuffle(wordPhrases(text, () => 0));
      break;
  }
  // a list's numbering is structure, not content
  const markers = listMarkerRanges(text);
  if (markers.length)
    phrases = phrases
      .map((p) => ({ ...p, spans: p.spans.filter((s) => !insideAny(markers, s.start, s.end)) }))
      .filter((p) => p.spans.length);
  return phrases.slice(0, Math.ceil(options.keyShare * phrases.length));
}
