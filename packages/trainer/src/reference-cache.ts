// The frozen reference's log-probs of every response in the preference set (and of KTO's mismatched
// pairs), computed once and kept in the run folder so a resumed run does not recompute them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '@spo/engine';
import type { CausalLM } from '@spo/model';
import type { TokenizedSequence } from '@spo/data';
import { scoreSequences } from './sequence-scores.js';

export interface ReferenceLogProbs {
  examples: number;
  /** Σ log π_ref of response j of example i: responses[i][j]. */
  responses: number[][];
  /** Σ log π_ref of example i's mismatched row (KTO), when asked for. */
  mismatched?: number[];
}

export function referenceLogProbs(
  dir: string, reference: CausalLM, padId: number, responses: TokenizedSequence[][], mismatched?: TokenizedSequence[],
): ReferenceLogProbs {
  const path = join(dir, 'reference-logps.json');
  if (existsSync(path)) {
    const cached = JSON.parse(readFileSync(path, 'utf8')) as ReferenceLogProbs;
    if (cached.examples === responses.length && (mismatched === undefined || cached.mismatched)) return cached;
  }
  const flat = responses.flat();
  const scores = scoreSequences(reference, [...flat, ...(mismatched ?? [])], padId).sum;
  let at = 0;
  const cache: ReferenceLogProbs = {
    examples: responses.length,
    responses: responses.map((r) => r.map(() => scores[at++])),
    mismatched: mismatched?.map(() => scores[at++]),
  };
  writeJsonAtomic(path, cache);
  return cache;
}
