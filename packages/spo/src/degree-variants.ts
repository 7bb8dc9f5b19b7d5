// SPO's graded preference degrees (docs/architecture.md §1): level k of K deletes the share k/(K−1) of a
// response's key phrases, so level 0 is the response itself and level K−1 has no key content left.
// The deletion order is one seeded permutation per response, so the levels are nested: every phrase
// gone at level k is gone at level k+1.
import type { Rng } from '@spo/engine';
import { keyPhrases, type KeyContentOptions } from './key-content.js';
import { deleteSpans } from './delete-spans.js';

/** A response with part of its key content deleted; level 0 is the response itself. */
export interface DegreeVariant {
  level: number;
  text: string;
  removed: string[];
}

export interface DegreeOptions extends KeyContentOptions {
  /** Number of levels K (>= 2). */
  levels: number;
}

/** The K degree variants of `text`, level 0 first (some may repeat the level above: see distinctDegreeLevels). */
export function degreeVariants(text: string, options: DegreeOptions, rng: Rng): DegreeVariant[] {
  const { levels } = options;
  if (!Number.isInteger(levels) || levels < 2) throw new Error(`spo.degrees must be an integer >= 2, got ${levels}`);
  const phrases = rng.shuffle(keyPhrases(text, options, rng.fork('extract')));
  const variants: DegreeVariant[] = [];
  for (let k = 0; k < levels; k++) {
    const removed = phrases.slice(0, Math.round((k / (levels - 1)) * phrases.length));
    variants.push({
      level: k,
      text:
        k === 0
          ? text
          : deleteSpans(
              text,
              removed.flatMap((p) => p.spans),
            ),
      removed: removed.map((p) => p.phrase),
    });
  }
  return variants;
}

/** Why a level is not used as a degree of its own. */
export type LeftOutLevel = 'same-as-above' | 'empty';

/**
 * The levels a degree loss can tell apart: level 0, then each level whose text differs from the last kept
 * one and is not empty, each keeping its own level number. Fewer than K come back when the response had
 * too few key phrases (two levels cut the same phrases) or pruning emptied it; fewer than 2 means the
 * response has no degree group at all.
 */
export function distinctDegreeLevels(variants: readonly DegreeVariant[]): {
  kept: DegreeVariant[];
  leftOut: { level: number; why: LeftOutLevel }[];
} {
  const kept = variants.slice(0, 1);
  const leftOut: { level: number; why: LeftOutLevel }[] = [];
  for (const v of variants.slice(1)) {
    if (v.text.trim() === '') leftOut.push({ level: v.level, why: 'empty' });
    else if (v.text === kept[kept.length - 1].text) leftOut.push({ level: v.level, why: 'same-as-above' });
    else kept.push(v);
  }
  return { kept, leftOut };
}
