// Tokenised prompt + response sequences and their padded batches.
import type { TextTokenizer } from './tokenizer.js';

/** [bos, ...prompt, ...response, eos]; the response (with eos) is what log-probs score. */
export interface TokenizedSequence {
  ids: number[];
  promptLength: number;
}

export function encodeSequence(
  tokenizer: TextTokenizer,
  prompt: string,
  response: string,
  maxLength: number,
): TokenizedSequence {
  const promptIds = [tokenizer.bosId, ...tokenizer.encode(prompt)];
  const responseIds = [...tokenizer.encode(response), tokenizer.eosId];
  const length = promptIds.length + responseIds.length;
  if (length > maxLength) {
    throw new Error(
      `sequence of ${length} tokens (prompt ${promptIds.length}, response ${responseIds.length}) exceeds ` +
        `maxLength ${maxLength}: raise model.maxPositions or shorten the data. Prompt: "${prompt.slice(0, 80)}"`,
    );
  }
  return { ids: [...promptIds, ...responseIds], promptLength: promptIds.length };
}

export function encodePrompt(tokenizer: TextTokenizer, prompt: string): number[] {
  return [tokenizer.bosId, ...tokenizer.encode(prompt)];
}

/** Right-padded rows with a mask that is 1 on response tokens. */
export interface PaddedBatch {
  rows: number;
  width: number;
  ids: Int32Array;
  /** 1 on response tokens (what log-probs score). */
  responseMask: Float32Array;
  /** 1 on every real token, 0 on padding (what pooling averages over). */
  tokenMask: Float32Array;
  /** Real tokens in the batch. */
  tokens: number;
  /**
   * The earliest response token of any row (the shortest prompt's length): no logits before it minus one are scored.
   */
  responseStart: number;
}

export function padBatch(sequences: readonly TokenizedSequence[], padId: number): PaddedBatch {
  const rows = sequences.length;
  const width = Math.max(...sequences.map((s) => s.ids.length));
  const ids = new Int32Array(rows * width).fill(padId);
  const responseMask = new Float32Array(rows * width);
  const tokenMask = new Float32Array(rows * width);
  let tokens = 0;
  sequences.forEach((s, r) => {
    ids.set(s.ids, r * width);
    responseMask.fill(1, r * width + s.promptLength, r * width + s.ids.length);
    tokenMask.fill(1, r * width, r * width + s.ids.length);
    tokens += s.ids.length;
  });
  return {
    rows,
    width,
    ids,
    responseMask,
    tokenMask,
    tokens,
    responseStart: Math.min(...sequences.map((s) => s.promptLength)),
  };
}
