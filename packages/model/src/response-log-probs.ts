// Log-probs of the responses of many prompt + response sequences under a model, in one of two layouts:
//   shared prompt: each distinct prompt is encoded once, left-padded, and every response attends to its
//     prompt's keys and values (gathered per row by a one-hot product, rowSelector, so gradients flow
//     back through the shared prefix to the prompt pass). Chosen, rejected, KTO's mismatched row and SPO's degree
//     variants of one example all repeat one prompt: the prompt's tokens go through the model once. The
//     responses go through in one pass or, with $SPO_LENGTH_BUCKETS=on and lengths that differ enough, two
//     (engine's length-buckets.ts).
//   per row: each sequence right-padded and run whole (the layout when no prompt repeats, when the
//     widest prompt and widest response together exceed the context, and under gradient checkpointing,
//     whose recomputed blocks take no key/value prefix).
// Both give the same numbers up to float rounding (tested); the layout is a function of the batch.
import { tf, rowSelector, lengthBuckets } from '@spo/engine';
import { padBatch, type TokenizedSequence } from '@spo/data';
import type { CausalLM, KvCache } from './causal-lm.js';
import { scoreTokens, sequenceLogProbs, type SequenceLogProbs, type TokenExtras } from './log-probs.js';

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
  const responseLengths = sequences.map((s) => s.ids.length - s.promptLength);
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
  const promptLogits = tf.reshape(prompt.logits, [P, V]);

  /** The responses of `rows`, right-padded to their widest, each positioned after its own prompt. */
  const responsePass = (rows: number[]) => {
    const B = rows.length;
    const Tr = Math.max(...rows.map((r) => responseLengths[r]));
    const responseIds = new Int32Array(B * Tr).fill(padId),
      responsePositions = new Int32Array(B * Tr),
      responseMask = new Float32Array(B * Tr);
    rows.forEach((r, i) => {
      const s = sequences[r];
      responseIds.set(s.ids.slice(s.promptLength), i * Tr);
      responseMask.fill(1, i * Tr, i * Tr + responseLengths[r]);
      // padding clamped into the context; it is masked
      for (let t = 0; t < Tr; t++)
        responsePositions[i * Tr + t] = Math.min(s.promptLength + t, model.config.maxPositions - 1);
    });
    const ofRow = rowSelector(
      rows.map((r) => rowPrompt[r]),
      P,
    );
    const perRowCache: KvCache = prompt.cache!.map(({ k, v }) => ({
      k: ofRow(k) as tf.Tensor4D,
      v: ofRow(v) as tf.Tensor4D,
    }));
    const responseMaskT = tf.tensor2d(responseMask, [B, Tr]);
    const ids = tf.tensor2d(responseIds, [B, Tr], 'int32');
    const response = model.forward(ids, {
      positions: tf.tensor2d(responsePositions, [B, Tr], 'int32'),
      keyMask: tf.concat([ofRow(promptMaskT), responseMaskT], 1) as tf.Tensor2D,
      cache: perRowCache,
      extendCache: false,
    });
    // response token 0 is predicted by the prompt's last position, token t by the response's position t − 1
    const first = tf.reshape(ofRow(promptLogits), [B, 1, V]);
    const predicting = Tr === 1 ? first : tf.concat([first, tf.slice(response.logits, [0, 0, 0], [B, Tr - 1, V])], 1);
    const prefixTokens = extras.prefixTokens && rows.map((r) => extras.prefixTokens![r]);
    return {
      scores: scoreTokens(predicting as tf.Tensor3D, ids, responseMaskT, { ...extras, prefixTokens }),
      pooled: () => {
        const total = tf.add(ofRow(maskedSum(prompt.hidden, promptMaskT)), maskedSum(response.hidden, responseMaskT));
        const tokens = tf.add(ofRow(tf.sum(promptMaskT, 1, true)), tf.sum(responseMaskT, 1, true));
        return tf.div(total, tf.maximum(tokens, 1)) as tf.Tensor2D;
      },
    };
  };

  const buckets = lengthBuckets(responseLengths);
  const passes = buckets.map(responsePass);
  if (passes.length === 1) return { ...passes[0].scores, layout: 'shared-prompt', pooled: passes[0].pooled };
  const inRowOrder = rowOrder(buckets);
  const scores = Object.fromEntries(
    Object.keys(passes[0].scores).map((name) => {
      const parts = passes.map((p) => p.scores[name as keyof SequenceLogProbs]!);
      return [name, inRowOrder(parts)];
    }),
  ) as unknown as SequenceLogProbs;
  return { ...scores, layout: 'shared-prompt', pooled: () => inRowOrder(passes.map((p) => p.pooled())) };
}

/** Joins the buckets' per-row outputs (rows in bucket order) into row order, by a one-hot product. */
function rowOrder(buckets: number[][]): <T extends tf.Tensor>(parts: T[]) => T {
  const rows = buckets.flat();
  // row r is at indexInBuckets[r] of the buckets' concatenation
  const indexInBuckets = new Array<number>(rows.length);
  rows.forEach((r, i) => (indexInBuckets[r] = i));
  const select = rowSelector(indexInBuckets, rows.length);
  return <T extends tf.Tensor>(parts: T[]) => select(tf.concat(parts, 0)) as T;
}

/** Σ over real tokens of hidden states [B, T, d] → [B, d]. */
function maskedSum(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.mul(hidden, tf.expandDims(mask, -1)), 1) as tf.Tensor2D;
}
