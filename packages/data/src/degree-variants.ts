// SPO's graded preference degrees (DESIGN.md §1): level k of K deletes the share k/(K−1) of a
// response's key phrases, so level 0 is the response itself and level K−1 has no key content left.
// The deletion order is one seeded permutation per response, so the levels are nested: every phrase
// gone at level k is gone at level k+1.
import { Rng } from '@spo/engine';
import { rakePhrases, type KeyPhrase } from './rake.js';
import { ENGLISH_STOPWORDS } from './stopwords.js';
import type { DegreeVariant } from './records.js';

export const KEY_CONTENT_EXTRACTORS = ['rake'] as const;
export type KeyContentExtractor = (typeof KEY_CONTENT_EXTRACTORS)[number];

export interface DegreeOptions {
  /** Number of levels K (>= 2). */
  levels: number;
  extractor: KeyContentExtractor;
}

const PUNCTUATION = /^[^\p{L}\p{N}]+$/u;
const SENTENCE_END = new Set(['.', '!', '?']);

/** Words minus the deleted spans, with sentences left without content dropped and stray punctuation removed. */
export function deleteSpans(text: string, spans: readonly { start: number; end: number }[]): string {
  const words = text.split(/\s+/).filter(Boolean);
  const gone = new Set<number>();
  for (const { start, end } of spans) for (let i = start; i < end; i++) gone.add(i);
  const kept = words.filter((_, i) => !gone.has(i));
  const out: string[] = [];
  let sentence: string[] = [];
  const flush = () => {
    const hasContent = sentence.some((w) => !PUNCTUATION.test(w) && !ENGLISH_STOPWORDS.has(w.toLowerCase()));
    if (hasContent) {
      for (const w of sentence) {
        const prev = out[out.length - 1];
        if (PUNCTUATION.test(w) && (prev === undefined || PUNCTUATION.test(prev))) {
          if (prev !== undefined && SENTENCE_END.has(w)) out[out.length - 1] = w; // ", ." -> "."
          continue;
        }
        out.push(w);
      }
    }
    sentence = [];
  };
  for (const w of kept) {
    sentence.push(w);
    if (SENTENCE_END.has(w)) flush();
  }
  flush();
  return out.join(' ');
}

export function keyPhrases(text: string, extractor: KeyContentExtractor): KeyPhrase[] {
  switch (extractor) {
    case 'rake':
      return rakePhrases(text);
  }
}

/** The K degree variants of `text`, level 0 first. */
export function degreeVariants(text: string, options: DegreeOptions, rng: Rng): DegreeVariant[] {
  const { levels } = options;
  if (!Number.isInteger(levels) || levels < 2) throw new Error(`spo.degrees must be an integer >= 2, got ${levels}`);
  const phrases = rng.shuffle(keyPhrases(text, options.extractor));
  const variants: DegreeVariant[] = [];
  for (let k = 0; k < levels; k++) {
    const count = Math.round((k / (levels - 1)) * phrases.length);
    const removed = phrases.slice(0, count);
    variants.push({ level: k, text: k === 0 ? text : deleteSpans(text, removed), removed: removed.map((p) => p.phrase) });
  }
  return variants;
}
