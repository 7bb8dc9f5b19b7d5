// Log-probs of many sequences under a model without gradients, batched: the frozen reference's
// log-probs for preference training, and scoring for evaluation; responses in one batch that share a
// prompt share its encoding (response-log-probs.ts). Running out of memory here names the
// batch, the heap and the knob: $SPO_SCORE_BATCH_SIZE (default 64 sequences).
import { tf, isOutOfMemory, wasmHeapBytes, WASM_HEAP_LIMIT_BYTES } from '@spo/engine';
import type { CausalLM } from '@spo/model';
import { responseLogProbs } from '@spo/model';
import type { TokenizedSequence } from '@spo/data';

export interface SequenceScores {
  sum: Float32Array;
  mean: Float32Array;
  /** Σ over each sequence's first prefixTokens[i] response tokens, when asked for. */
  prefixSum?: Float32Array;
}

/** Sequences per forward when scoring: $SPO_SCORE_BATCH_SIZE, else 64. */
export function scoreBatchSize(): number {
  const v = Number(process.env.SPO_SCORE_BATCH_SIZE ?? 64);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`SPO_SCORE_BATCH_SIZE must be a whole number above 0, got "${process.env.SPO_SCORE_BATCH_SIZE}"`);
  return v;
}

export function scoreSequences(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  padId: number,
  batchSize = scoreBatchSize(),
  what = 'scoring',
  prefixTokens?: readonly number[],
): SequenceScores {
  const sum = new Float32Array(sequences.length),
    mean = new Float32Array(sequences.length),
    prefixSum = prefixTokens ? new Float32Array(sequences.length) : undefined;
  for (let start = 0; start < sequences.length; start += batchSize) {
    const chunk = sequences.slice(start, start + batchSize);
    let s: ArrayLike<number>, m: ArrayLike<number>, p: ArrayLike<number> | undefined;
    try {
      const scored = tf.tidy(() => {
        const lp = responseLogProbs(model, chunk, padId, undefined, {
          prefixTokens: prefixTokens?.slice(start, start + batchSize),
        });
        return [lp.sum.dataSync(), lp.mean.dataSync(), ...(lp.prefixSum ? [lp.prefixSum.dataSync()] : [])];
      }) as unknown as ArrayLike<number>[];
      [s, m, p] = scored;
    } catch (error) {
      if (!isOutOfMemory(error)) throw error;
      const heap = wasmHeapBytes();
      const longest = Math.max(...chunk.map((x) => x.ids.length));
      throw new Error(
        `${what}: sequences ${start + 1}-${start + chunk.length} of ${sequences.length} ` +
          `(${chunk.length} per batch, up to ${longest} tokens) ran out of memory` +
          (heap === undefined
            ? ''
            : ` (WASM heap ${Math.round(heap / 2 ** 20)} MiB of ${Math.round(WASM_HEAP_LIMIT_BYTES / 2 ** 20)})`) +
          '. ' +
          `Set SPO_SCORE_BATCH_SIZE to a smaller batch (e.g. ${Math.max(1, Math.floor(chunk.length / 4))}) or ` +
          `lower data.maxPromptTokens / maxResponseTokens, and run again; finished stages are kept.`,
        { cause: error },
      );
    }
    sum.set(s, start);
    mean.set(m, start);
    if (p) prefixSum!.set(p, start);
  }
  return { sum, mean, ...(prefixSum ? { prefixSum } : {}) };
}
