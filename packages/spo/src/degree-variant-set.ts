// SPO's degree variants for a whole preference set: for each ranked list (a pair is a list of two),
// K levels of its best response ("chosen"), its worst ("rejected"), or both, seeded per response so
// every method with the same degree settings trains on the same variants. Only levels that differ from
// the level above and are not empty are kept (distinctDegreeLevels); a response left with fewer than two
// has no group. The summary says what the pruning did: key phrases per response, words removed per
// level, and how many groups were rebuilt with fewer levels or dropped, and why.
import { Rng } from '@spo/engine';
import { degreeVariants, distinctDegreeLevels, type LeftOutLevel } from './degree-variants.js';
import { documentFrequency } from './key-content.js';
import { wordTokens } from './words.js';
import type { PreferenceList } from '@spo/data';
import type { DegreeConfig } from './config.js';
import type { DegreeVariant } from './degree-variants.js';

export interface DegreeVariantSet {
  config: DegreeConfig;
  /** Per list: the distinct levels of its first and/or last response, level 0 first (fewer than 2: no group). */
  variants: { chosen?: DegreeVariant[]; rejected?: DegreeVariant[] }[];
  summary: DegreeVariantSummary;
}

export interface DegreeVariantSummary {
  responses: number;
  /** Key phrases found per response: mean and the count of responses with none. */
  keyPhrases: { mean: number; responsesWithNone: number };
  /** Mean key phrases removed at each level. */
  meanPhrasesRemoved: number[];
  /** Mean words (and numbers) removed at each level. */
  meanWordsRemoved: number[];
  /** Variants per level whose text differs from the level above: the labels a degree head can learn from. */
  distinctPerLevel: number[];
  /** Adjacent levels that came out as the same text (too few key phrases to tell apart). */
  indistinctLevels: number;
  /** Responses whose group keeps fewer than K levels (but at least 2), and those with no group. */
  groups: { full: number; rebuilt: number; dropped: number };
  /** Levels left out of the groups, by why. */
  levelsLeftOut: Record<LeftOutLevel, number>;
  /** The first few responses, with their key phrases removed level by level. */
  examples: { response: string; levels: { level: number; removed: string[]; text: string }[] }[];
}

const EXAMPLES = 3;

export function buildDegreeVariantSet(
  lists: readonly PreferenceList[],
  config: DegreeConfig,
  seed: number | string,
): DegreeVariantSet {
  const rng = new Rng(`${seed}/degrees/${config.degrees}/${config.extractor}`);
  const targets = lists.flatMap((l) => [
    ...(config.target !== 'rejected' ? [l.responses[0]] : []),
    ...(config.target !== 'chosen' ? [l.responses[l.responses.length - 1]] : []),
  ]);
  const options = {
    levels: config.degrees,
    extractor: config.extractor,
    keyShare: config.keyShare,
    documentFrequency: config.extractor === 'tfidf' ? documentFrequency(targets) : undefined,
  };
  const K = config.degrees;
  const s: DegreeVariantSummary = {
    responses: 0,
    keyPhrases: { mean: 0, responsesWithNone: 0 },
    meanPhrasesRemoved: new Array(K).fill(0),
    meanWordsRemoved: new Array(K).fill(0),
    distinctPerLevel: new Array(K).fill(0),
    indistinctLevels: 0,
    groups: { full: 0, rebuilt: 0, dropped: 0 },
    levelsLeftOut: { 'same-as-above': 0, empty: 0 },
    examples: [],
  };
  const words = (text: string) => wordTokens(text).filter((t) => t.isWord).length;
  const make = (text: string, key: string) => {
    const v = degreeVariants(text, options, rng.fork(key));
    const found = v[K - 1].removed.length;
    s.responses++;
    s.keyPhrases.mean += found;
    if (found === 0) s.keyPhrases.responsesWithNone++;
    const original = words(text);
    v.forEach((x, k) => {
      s.meanPhrasesRemoved[k] += x.removed.length;
      s.meanWordsRemoved[k] += original - words(x.text);
      if (k === 0 || x.text !== v[k - 1].text) s.distinctPerLevel[k]++;
      else s.indistinctLevels++;
    });
    if (s.examples.length < EXAMPLES)
      s.examples.push({
        response: text,
        levels: v.slice(1).map(({ level, removed, text }) => ({ level, removed, text })),
      });
    const { kept, leftOut } = distinctDegreeLevels(v);
    for (const l of leftOut) s.levelsLeftOut[l.why]++;
    if (kept.length < 2) s.groups.dropped++;
    else if (kept.length < K) s.groups.rebuilt++;
    else s.groups.full++;
    return kept;
  };
  const variants = lists.map((l, i) => ({
    chosen: config.target !== 'rejected' ? make(l.responses[0], `chosen/${i}`) : undefined,
    rejected: config.target !== 'chosen' ? make(l.responses[l.responses.length - 1], `rejected/${i}`) : undefined,
  }));
  const n = Math.max(s.responses, 1);
  s.keyPhrases.mean /= n;
  s.meanPhrasesRemoved = s.meanPhrasesRemoved.map((r) => r / n);
  s.meanWordsRemoved = s.meanWordsRemoved.map((r) => r / n);
  return { config, variants, summary: s };
}
