// The frozen reference's log-probs of every response in the preference set (and of KTO's mismatched
// pairs), computed once and kept in the run folder so a resumed run does not recompute them. The cache
// records a digest of what it was computed from (the reference's weights and every token sequence) and
// is used only when that digest matches and every value is a finite number; otherwise it is recomputed,
// saying why. A process also keeps the last few it computed by that digest: every run of a data variant
// scores the same sequences with the same SFT model, so the next run on the same worker takes them
// (the same values: the same sequences in the same batches) instead of running the reference pass again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecentResults, writeJsonAtomic } from '@spo/engine';
import type { CausalLM } from '@spo/model';
import type { TokenizedSequence } from '@spo/data';
import { scoreSequences } from './sequence-scores.js';

export interface ReferenceLogProbs {
  examples: number;
  /** sha256 of the reference's weights and the scored sequences. */
  inputs: string;
  /** Σ log π_ref of response j of example i: responses[i][j]. */
  responses: number[][];
  /** Σ log π_ref of example i's mismatched row (KTO), when asked for. */
  mismatched?: number[];
  /** Σ log π_ref over the first prefixTokens[i] tokens of response j of example i (LD-DPO), when asked for. */
  prefixes?: number[][];
}

function inputsDigest(
  reference: CausalLM,
  responses: TokenizedSequence[][],
  mismatched?: TokenizedSequence[],
  prefixTokens?: readonly number[],
): string {
  const h = createHash('sha256');
  if (prefixTokens) h.update(`prefixes:${prefixTokens.join(',')};`);
  for (const [name, v] of reference.params)
    h.update(name).update(new Uint8Array((v.dataSync() as Float32Array).buffer));
  for (const s of [...responses.flat(), ...(mismatched ?? [])]) h.update(`${s.promptLength}:${s.ids.join(',')};`);
  return h.digest('hex');
}

/** Why `cached` cannot be used for these inputs, or undefined when it can. */
function unusable(
  cached: unknown,
  inputs: string,
  responses: TokenizedSequence[][],
  mismatched?: TokenizedSequence[],
  prefixTokens?: readonly number[],
): string | undefined {
  const c = cached as Partial<ReferenceLogProbs>;
  if (c.inputs !== inputs) return 'it was computed from another reference model or other sequences';
  const finite = (xs: unknown) => Array.isArray(xs) && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (
    !Array.isArray(c.responses) ||
    c.responses.length !== responses.length ||
    !c.responses.every((r, i) => finite(r) && r.length === responses[i].length)
  )
    return 'its responses do not match the data';
  if (mismatched && !(finite(c.mismatched) && c.mismatched!.length === mismatched.length))
    return 'it lacks the mismatched rows';
  if (
    prefixTokens &&
    !(
      Array.isArray(c.prefixes) &&
      c.prefixes.length === responses.length &&
      c.prefixes.every((r, i) => finite(r) && r.length === responses[i].length)
    )
  )
    return 'it lacks the prefix sums';
  return undefined;
}

/** The reference log-probs this process computed, by their inputs' digest. */
const computed = new RecentResults<ReferenceLogProbs>();

/**
 * @param prefixTokens per example, the response tokens LD-DPO's prefix sums cover (its pair's shorter
 *   length); absent: no prefix sums.
 */
export function referenceLogProbs(
  dir: string,
  reference: CausalLM,
  padId: number,
  responses: TokenizedSequence[][],
  mismatched?: TokenizedSequence[],
  log?: (line: string) => void,
  prefixTokens?: readonly number[],
): ReferenceLogProbs {
  const path = join(dir, 'reference-logps.json');
  const inputs = inputsDigest(reference, responses, mismatched, prefixTokens);
  if (existsSync(path)) {
    let why: string | undefined, cached: unknown;
    try {
      cached = JSON.parse(readFileSync(path, 'utf8'));
      why = unusable(cached, inputs, responses, mismatched, prefixTokens);
    } catch (error) {
      why = `it is damaged (${(error as Error).message})`;
    }
    if (why === undefined) return cached as ReferenceLogProbs;
    log?.(`[reference] recomputing ${path}: ${why}`);
  }
  const { value: cache, kept } = computed.get(inputs, () =>
    computeReferenceLogProbs(reference, padId, responses, inputs, mismatched, prefixTokens),
  );
  if (kept) log?.(`[reference] the reference log-probs this process computed for an earlier run of these pairs`);
  writeJsonAtomic(path, cache);
  return cache;
}

function computeReferenceLogProbs(
  reference: CausalLM,
  padId: number,
  responses: TokenizedSequence[][],
  inputs: string,
  mismatched?: TokenizedSequence[],
  prefixTokens?: readonly number[],
): ReferenceLogProbs {
  const flat = responses.flat();
  const rowPrefixes = prefixTokens
    ? [...responses.flatMap((r, i) => r.map(() => prefixTokens[i])), ...(mismatched ?? []).map(() => 0)]
    : undefined;
  const scores = scoreSequences(
    reference,
    [...flat, ...(mismatched ?? [])],
    padId,
    undefined,
    'the reference pass',
    rowPrefixes,
  );
  let at = 0;
  const cache: ReferenceLogProbs = {
    examples: responses.length,
    inputs,
    responses: responses.map((r) => r.map(() => scores.sum[at++])),
    mismatched: mismatched?.map(() => scores.sum[at++]),
  };
  if (scores.prefixSum) {
    at = 0;
    cache.prefixes = responses.map((r) => r.map(() => scores.prefixSum![at++]));
  }
  return cache;
}
