// Log-probs of the responses of many prompt + response sequences under a model, in one of two layouts:
//   shared prompt: each distinct prompt is encoded once, left-padded, and every response attends to its
//     prompt's keys and values (gathered per row by a one-hot product, rowSelector, so gradients flow
//     back through the shared prefix to the prompt pass). Chosen, rejected, KTO's mismatched row and SPO's degree
//     variants of one example all repeat one prompt: the prompt's tokens go through the model once. The
//     responses go through in one pass, several responses to one prompt packed in a row (the default) or,
//     with $SPO_PACKED_RESPONSES=off, a row each (engine's response-packing.ts).
//   per row: each sequence right-padded and run whole (the layout when no prompt repeats, when a prompt
//     is empty (nothing would predict its response's first token), when the widest prompt and widest
//     response together exceed the context, and under gradient checkpointing, whose recomputed blocks
//     take no key/value prefix).
// Both give the same numbers up to float rounding (tested); the layout is a function of the batch.
import {
  tf,
  rowSelector,
  rowCombination,
  packResponses,
  packedResponsesOn,
  type PackedRow,
  stopGradient,
} from '@spo/engine';
import { padBatch, type TokenizedSequence } from '@spo/data';
import { NEG_INF, type CausalLM, type KvCache } from './causal-lm.js';
import { scoreTokens, sequenceLogProbs, targetScores, type SequenceLogProbs, type TokenExtras } from './log-probs.js';

export interface ResponseLogProbs extends SequenceLogProbs {
  /** Mean of the final hidden states over each row's real tokens, prompt and response [R, d] (computed when asked). */
  pooled(): tf.Tensor2D;
  layout: 'shared-prompt' | 'per-row';
}

/** Each row's prompt as an index into the distinct prompts, in order of first appearance. */
export function distinctPrompts(sequences: readonly TokenizedSequence[]): { prompts: number[][]; rowPrompt: number[] } {
  const index = new Map<string, number>();
  const prompts: number[][] = [];
  const rowPrompt = sequences.map((s) => {
    const ids = s.ids.slice(0, s.promptLength);
    const key = ids.join(',');
    let i = index.get(key);
    if (i === undefined) index.set(key, (i = prompts.push(ids) - 1));
    return i;
  });
  return { prompts, rowPrompt };
}

type DistinctPrompts = ReturnType<typeof distinctPrompts>;

/** The layout `responseLogProbs` takes for these sequences. */
export function responseLayout(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  distinct = distinctPrompts(sequences),
): ResponseLogProbs['layout'] {
  return distinct.prompts.length < sequences.length &&
    distinct.prompts.every((p) => p.length > 0) &&
    sharedPromptFits(model, sequences) &&
    !model.gradientCheckpointing
    ? 'shared-prompt'
    : 'per-row';
}

/** The widest prompt and the widest response together fit the context (the shared-prompt pass's width). */
function sharedPromptFits(model: CausalLM, sequences: readonly TokenizedSequence[]): boolean {
  const widest = (xs: number[]) => Math.max(...xs);
  return (
    widest(sequences.map((s) => s.promptLength)) + widest(sequences.map((s) => s.ids.length - s.promptLength)) <=
    model.config.maxPositions
  );
}

/**
 * Σ and mean log π of each sequence's response tokens (the eos included), and the rows' pooled hidden
 * states, in the layout responseLayout picks or the one asked for (SFT keeps per-row; the bench
 * compares both).
 */
export function responseLogProbs(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  padId: number,
  layout?: ResponseLogProbs['layout'],
  extras: TokenExtras = {},
): ResponseLogProbs {
  if (layout === 'per-row') return perRow(model, sequences, padId, extras);
  const distinct = distinctPrompts(sequences);
  if ((layout ?? responseLayout(model, sequences, distinct)) === 'per-row')
    return perRow(model, sequences, padId, extras);
  if (!sharedPromptFits(model, sequences))
    throw new Error(
      `the shared-prompt layout needs the widest prompt and the widest ` +
        `response together within maxPositions ${model.config.maxPositions}`,
    );
  return sharedPrompt(model, sequences, padId, distinct, extras);
}

function perRow(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  padId: number,
  extras: TokenExtras,
): ResponseLogProbs {
  const b = padBatch(sequences, padId);
  const ids = tf.tensor2d(b.ids, [b.rows, b.width], 'int32');
  const out = model.forward(ids, { logitsFrom: Math.max(0, b.responseStart - 1) });
  const lp = sequenceLogProbs(out.logits, ids, tf.tensor2d(b.responseMask, [b.rows, b.width]), extras);
  return {
    ...lp,
    layout: 'per-row',
    pooled: () => {
      const tokenMask = tf.tensor2d(b.tokenMask, [b.rows, b.width]);
      return tf.div(maskedSum(out.hidden, tokenMask), tf.maximum(tf.sum(tokenMask, 1, true), 1)) as tf.Tensor2D;
    },
  };
}

function sharedPrompt(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  padId: number,
  { prompts, rowPrompt }: DistinctPrompts,
  extras: TokenExtras,
): ResponseLogProbs {
  const P = prompts.length,
    R = sequences.length,
    V = model.config.vocabSize;
  const Tp = Math.max(...prompts.map((p) => p.length));
  if (extras.prefixTokens && extras.prefixTokens.length !== R)
    throw new Error(`prefixTokens has ${extras.prefixTokens.length} entries for ${R} rows`);

  // prompts left-padded, so every prompt's last token (which predicts its responses' first) is at Tp − 1
  const promptIds = new Int32Array(P * Tp).fill(padId),
    promptPositions = new Int32Array(P * Tp),
    promptMask = new Float32Array(P * Tp);
  prompts.forEach((p, i) => {
    const pad = Tp - p.length;
    promptIds.set(p, i * Tp + pad);
    promptMask.fill(1, i * Tp + pad, (i + 1) * Tp);
    for (let t = pad; t < Tp; t++) promptPositions[i * Tp + t] = t - pad;
  });
  const promptMaskT = tf.tensor2d(promptMask, [P, Tp]);
  const prompt = model.forward(tf.tensor2d(promptIds, [P, Tp], 'int32'), {
    positions: tf.tensor2d(promptPositions, [P, Tp], 'int32'),
    keyMask: promptMaskT,
    cache: [],
    logitsFrom: Tp - 1,
  });
  const ofRow = rowSelector(rowPrompt, P);
  const promptPass: PromptPass = {
    cache: prompt.cache!,
    promptMask,
    promptMaskT,
    Tp,
    rowPrompt,
    ofRow,
    firstLogits: ofRow(tf.reshape(prompt.logits, [P, V])) as tf.Tensor2D,
  };
  const responses = (packedResponsesOn() ? packedResponses : responseRows)(model, sequences, padId, promptPass, extras);
  return {
    ...responses.scores,
    layout: 'shared-prompt',
    pooled: () => {
      const total = tf.add(ofRow(maskedSum(prompt.hidden, promptMaskT)), responses.hiddenSum());
      const tokens = tf.add(ofRow(tf.sum(promptMaskT, 1, true)), responses.tokens());
      return tf.div(total, tf.maximum(tokens, 1)) as tf.Tensor2D;
    },
  };
}

/** What the response pass needs of the prompts' pass. */
interface PromptPass {
  /** The prompts' keys and values, one entry per layer, [P, kvHeads, Tp, headDim] each. */
  cache: KvCache;
  /** 1 on the prompts' real (not left-padding) positions [P · Tp], and as a tensor [P, Tp]. */
  promptMask: Float32Array;
  promptMaskT: tf.Tensor2D;
  Tp: number;
  /** Each batch row's prompt, as an index into the prompts. */
  rowPrompt: number[];
  /** Each batch row's prompt's rows of a [P, ...] tensor (a one-hot product). */
  ofRow: (x: tf.Tensor) => tf.Tensor;
  /** Each row's prompt's last-position logits [R, V]: they predict the row's response token 0. */
  firstLogits: tf.Tensor2D;
}

/** The response pass's results: the rows' scores, Σ of their responses' hidden states [R, d], token counts [R, 1]. */
interface ResponsePass {
  scores: SequenceLogProbs;
  hiddenSum: () => tf.Tensor2D;
  tokens: () => tf.Tensor2D;
}

/** A row per response, right-padded to the widest, each positioned after its own prompt. */
function responseRows(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  padId: number,
  { cache, promptMaskT, ofRow, firstLogits }: PromptPass,
  extras: TokenExtras,
): ResponsePass {
  const B = sequences.length,
    V = model.config.vocabSize;
  const responseLengths = sequences.map((s) => s.ids.length - s.promptLength);
  const Tr = Math.max(...responseLengths);
  const responseIds = new Int32Array(B * Tr).fill(padId),
    responsePositions = new Int32Array(B * Tr),
    responseMask = new Float32Array(B * Tr);
  sequences.forEach((s, i) => {
    responseIds.set(s.ids.slice(s.promptLength), i * Tr);
    responseMask.fill(1, i * Tr, i * Tr + responseLengths[i]);
    // padding clamped into the context; it is masked
    for (let t = 0; t < Tr; t++)
      responsePositions[i * Tr + t] = Math.min(s.promptLength + t, model.config.maxPositions - 1);
  });
  const perRowCache: KvCache = cache.map(({ k, v }) => ({ k: ofRow(k) as tf.Tensor4D, v: ofRow(v) as tf.Tensor4D }));
  const responseMaskT = tf.tensor2d(responseMask, [B, Tr]);
  const ids = tf.tensor2d(responseIds, [B, Tr], 'int32');
  const response = model.forward(ids, {
    positions: tf.tensor2d(responsePositions, [B, Tr], 'int32'),
    keyMask: tf.concat([ofRow(promptMaskT), responseMaskT], 1) as tf.Tensor2D,
    cache: perRowCache,
    extendCache: false,
  });
  // response token 0 is predicted by the prompt's last position, token t by the response's position t − 1
  const first = tf.reshape(firstLogits, [B, 1, V]);
  const predicting = Tr === 1 ? first : tf.concat([first, tf.slice(response.logits, [0, 0, 0], [B, Tr - 1, V])], 1);
  return {
    scores: scoreTokens(predicting as tf.Tensor3D, ids, responseMaskT, extras),
    hiddenSum: () => maskedSum(response.hidden, responseMaskT),
    tokens: () => tf.sum(responseMaskT, 1, true) as tf.Tensor2D,
  };
}

/**
 * The responses packed (engine's response-packing.ts): each row of the pass holds responses to one
 * prompt, each at its own positions after the prompt, attending to the prompt's real keys and to its
 * own earlier tokens only. Token 0 of a response is predicted by its prompt's last position, token t by
 * the packed position before it; a row's sums collect its tokens' log-probs by a 0/1 product.
 */
function packedResponses(
  model: CausalLM,
  sequences: readonly TokenizedSequence[],
  padId: number,
  promptPass: PromptPass,
  extras: TokenExtras,
): ResponsePass {
  const { cache, promptMask, Tp, rowPrompt, firstLogits } = promptPass;
  const R = sequences.length,
    V = model.config.vocabSize,
    P = promptMask.length / Tp;
  const lengths = sequences.map((s) => s.ids.length - s.promptLength);
  const W = Math.max(1, ...lengths);
  const rows = packResponses(rowPrompt, lengths, W);
  // nothing shares a row (every pair of a prompt's responses too long together): a row each, as unpacked
  if (rows.length === R) return responseRows(model, sequences, padId, promptPass, extras);
  const B = rows.length,
    N = B * W,
    K = Tp + W;
  const { ids, positions, targets, firstTokens, start, mask } = packedInputs(
    sequences,
    rows,
    W,
    { promptMask, Tp },
    model.config.maxPositions,
    padId,
  );
  const ofPacked = rowSelector(
    rows.map((r) => r.prompt),
    P,
  );
  const out = model.forward(tf.tensor2d(ids, [B, W], 'int32'), {
    positions: tf.tensor2d(positions, [B, W], 'int32'),
    attentionMask: tf.tensor4d(mask, [B, 1, W, K]),
    cache: cache.map(({ k, v }) => ({ k: ofPacked(k) as tf.Tensor4D, v: ofPacked(v) as tf.Tensor4D })),
    extendCache: false,
  });

  /** A function summing each row's first count(r) packed positions: a 0/1 product [R, N] @ x [N, ...]. */
  const sumOverRows = (count: (r: number) => number) => {
    const w = new Float32Array(R * N);
    for (let r = 0; r < R; r++) w.fill(1, r * N + start[r], r * N + start[r] + count(r));
    return rowCombination(w, R, N);
  };
  const logits = tf.reshape(out.logits, [N, V]);
  const targetsT = tf.tensor1d(targets, 'int32'),
    firstT = tf.tensor1d(firstTokens, 'int32');
  const packed = targetScores(logits, targetsT, extras.sampledAlignment),
    first = targetScores(firstLogits, firstT, extras.sampledAlignment);
  /**
   * A function giving the Σ of a per-token value over each row's tokens 0..upTo(r) − 1: token 0's from
   * `first` [R] (where upTo(r) > 0), token t's from the packed position before it (`perPosition` [N]).
   */
  const rowSum = (upTo: (r: number) => number) => {
    const overPositions = sumOverRows((r) => Math.max(0, upTo(r) - 1));
    const firstCounts = tf.tensor1d(lengths.map((_, r) => (upTo(r) > 0 ? 1 : 0)));
    return (perPosition: tf.Tensor, first: tf.Tensor) =>
      tf.add(
        tf.mul(first, firstCounts),
        tf.reshape(overPositions(tf.reshape(perPosition, [N, 1])), [R]),
      ) as tf.Tensor1D;
  };
  const overResponse = rowSum((r) => lengths[r]);
  const sum = overResponse(packed.logProb, first.logProb);
  const count = tf.tensor1d(lengths);
  const scores: SequenceLogProbs = { sum, mean: tf.div(sum, tf.maximum(count, 1)) as tf.Tensor1D, count };
  const prefix = extras.prefixTokens;
  if (prefix) scores.prefixSum = rowSum((r) => Math.min(lengths[r], prefix[r]))(packed.logProb, first.logProb);
  if (packed.aligned && first.aligned) {
    const alignedSum = overResponse(packed.aligned, first.aligned);
    scores.alignedMean = stopGradient(tf.div(alignedSum, tf.maximum(count, 1))) as tf.Tensor1D;
  }
  return {
    scores,
    hiddenSum: () => sumOverRows((r) => lengths[r])(tf.reshape(out.hidden, [N, model.config.dModel])) as tf.Tensor2D,
    tokens: () => tf.tensor2d(lengths, [R, 1]),
  };
}

/**
 * The packed pass's inputs, flattened over its rows × width positions: token ids, position ids (each
 * response's own, after its prompt), the token each position predicts (0 where none), each batch row's
 * token 0 and where it starts, and the additive attention mask [rows, width, Tp + width]: a response's
 * token sees its prompt's real keys and its own earlier tokens; padding (never read) sees every earlier
 * position, so no query is left without a key.
 */
export function packedInputs(
  sequences: readonly TokenizedSequence[],
  rows: readonly PackedRow[],
  W: number,
  { promptMask, Tp }: Pick<PromptPass, 'promptMask' | 'Tp'>,
  maxPositions: number,
  padId: number,
) {
  const R = sequences.length,
    N = rows.length * W,
    K = Tp + W;
  const ids = new Int32Array(N).fill(padId),
    positions = new Int32Array(N),
    targets = new Int32Array(N),
    firstTokens = new Int32Array(R).fill(padId),
    start = new Int32Array(R),
    mask = new Float32Array(N * K).fill(NEG_INF);
  rows.forEach(({ prompt, segments }, b) => {
    const segmentAt = new Int32Array(W).fill(-1);
    segments.forEach(({ row, offset, length }, j) => {
      const s = sequences[row];
      const response = s.ids.slice(s.promptLength);
      ids.set(response, b * W + offset);
      if (length) firstTokens[row] = response[0];
      start[row] = b * W + offset;
      for (let t = 0; t < length; t++) {
        positions[b * W + offset + t] = Math.min(s.promptLength + t, maxPositions - 1);
        if (t + 1 < length) targets[b * W + offset + t] = response[t + 1];
        segmentAt[offset + t] = j;
      }
    });
    for (let q = 0; q < W; q++) {
      const m = (b * W + q) * K;
      for (let k = 0; k < Tp; k++) if (promptMask[prompt * Tp + k]) mask[m + k] = 0;
      for (let k = 0; k <= q; k++) if (segmentAt[q] < 0 || segmentAt[k] === segmentAt[q]) mask[m + Tp + k] = 0;
    }
  });
  return { ids, positions, targets, firstTokens, start, mask };
}

/** Σ over real tokens of hidden states [B, T, d] → [B, d]. */
function maskedSum(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.mul(hidden, tf.expandDims(mask, -1)), 1) as tf.Tensor2D;
}
