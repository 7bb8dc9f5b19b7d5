// SPO's degree variants for a whole preference set: for each ranked list (a pair is a list of two),
// K levels of its best response ("chosen"), its worst ("rejected"), or both, seeded per response so
// every method with the same degree settings trains on the same variants.
import { Rng } from '@spo/engine';
import { degreeVariants } from './degree-variants.js';
import type { DegreeConfig } from './config.js';
import type { DegreeVariant, PreferenceList } from './records.js';

export interface DegreeVariantSet {
  config: DegreeConfig;
  /** Per list: the variants of its first and/or last response, level 0 first. */
  variants: { chosen?: DegreeVariant[]; rejected?: DegreeVariant[] }[];
  summary: DegreeVariantSummary;
}

export interface DegreeVariantSummary {
  responses: number;
  /** Mean key phrases removed at each level. */
  meanPhrasesRemoved: number[];
  /** Adjacent levels that came out as the same text (too few key phrases to tell apart). */
  indistinctLevels: number;
}

export function buildDegreeVariantSet(lists: readonly PreferenceList[], config: DegreeConfig, seed: number | string): DegreeVariantSet {
  const rng = new Rng(`${seed}/degrees/${config.degrees}/${config.extractor}`);
  const removed = new Array<number>(config.degrees).fill(0);
  let responses = 0, indistinct = 0;
  const make = (text: string, key: string) => {
    const v = degreeVariants(text, { levels: config.degrees, extractor: config.extractor }, rng.fork(key));
    responses++;
    v.forEach((x, k) => (removed[k] += x.removed.length));
    for (let k = 1; k < v.length; k++) if (v[k].text === v[k - 1].text) indistinct++;
    return v;
  };
  const variants = lists.map((l, i) => ({
    chosen: config.target !== 'rejected' ? make(l.responses[0], `chosen/${i}`) : undefined,
    rejected: config.target !== 'chosen' ? make(l.responses[l.responses.length - 1], `rejected/${i}`) : undefined,
  }));
  return { config, variants, summary: { responses, meanPhrasesRemoved: removed.map((r) => r / Math.max(responses, 1)), indistinctLevels: indistinct } };
}
