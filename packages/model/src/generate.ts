// Batched sampling with a KV cache: greedy (temperature 0), temperature and nucleus (top-p) sampling,
// a stop token, and one seeded random stream per prompt so a prompt's sample does not depend on its batch.
import { tf, Rng } from '@spo/engine';
import type { CausalLM, KvCache } from './causal-lm.js';

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 means greedy. */
  temperature: number;
  /** Nucleus sampling mass in (0, 1]; 1 disables it. */
  topP: number;
  /** Generation of a row ends after this token (which is not returned). */
  stopToken?: number;
  /** Token used to left-pad prompts in a batch. */
  padToken: number;
  seed: number | string;
  /** Prompts per forward batch. */
  batchSize: number;
  /** Called with each new token of each prompt as it is sampled (for streaming). */
  onToken?: (prompt: number, token: number) => void;
}

/** Pick a token from one row of logits. */
export function sampleToken(logits: Float32Array, temperature: number, topP: number, rng: Rng): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature === 0) return best;
  const probs = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    probs[i] = Math.exp((logits[i] - logits[best]) / temperature);
    total += probs[i];
  }
  if (topP >= 1) {
    // nothing cut: every token in vocabulary order, without building an index array
    let u = rng.next() * total;
    for (let i = 0; i < probs.length; i++) {
      u -= probs[i];
      if (u <= 0) return i;
    }
    return probs.length - 1;
  }
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
  let mass = 0;
  let keep = 0;
  while (keep < order.length && mass < topP * total) mass += probs[order[keep++]];
  let u = rng.next() * mass;
  for (let k = 0; k < keep; k++) {
    u -= probs[order[k]];
    if (u <= 0) return order[k];
  }
  return order[keep - 1];
}

function generateBatch(model: CausalLM, prompts: number[][], firstIndex: number, o: GenerateOptions): number[][] {
  const B = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  if (width + o.maxNewTokens > model.config.maxPositions) {
    throw new Error(
      `prompt of ${width} tokens + ${o.maxNewTokens} new tokens exceeds maxPositions ${model.config.maxPositions}`,
    );
  }
  const rngs = prompts.map((_, b) => new Rng(`${o.seed}/sample/${firstIndex + b}`));
  const ids = new Int32Array(B * width),
    positions = new Int32Array(B * width);
  const pads = prompts.map((prompt) => width - prompt.length);
  prompts.forEach((prompt, b) => {
    for (let t = 0; t < width; t++) {
      ids[b * width + t] = t < pads[b] ? o.padToken : prompt[t - pads[b]];
      positions[b * width + t] = Math.max(0, t - pads[b]);
    }
  });
  /** Every key so far: a row's left padding masked (0), every other key seen (1), a finished row's pads too. */
  const keyMask = (keys: number) => {
    const mask = new Float32Array(B * keys).fill(1);
    pads.forEach((pad, b) => mask.fill(0, b * keys, b * keys + pad));
    return tf.tensor2d(mask, [B, keys], 'float32');
  };
  const outputs: number[][] = prompts.map(() => []);
  const done = prompts.map(() => false);
  let cache: KvCache = [];
  let input = tf.tensor2d(ids, [B, width], 'int32');
  let inputPositions = tf.tensor2d(positions, [B, width], 'int32');
  for (let step = 0; step < o.maxNewTokens; step++) {
    const mask = keyMask(width + step);
    const result = tf.tidy(() => {
      // logits of the last position only: it is the one sampled from
      const out = model.forward(input, {
        positions: inputPositions,
        keyMask: mask,
        cache,
        logitsFrom: input.shape[1] - 1,
      });
      return { last: tf.reshape(out.logits, [B, model.config.vocabSize]), cache: out.cache! };
    });
    for (const layer of cache) tf.dispose([layer.k, layer.v]);
    tf.dispose([input, inputPositions, mask]);
    cache = result.cache;
    const lastLogits = result.last.dataSync() as Float32Array;
    result.last.dispose();
    const next = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const token = done[b]
        ? o.padToken
        : sampleToken(
            lastLogits.subarray(b * model.config.vocabSize, (b + 1) * model.config.vocabSize),
            o.temperature,
            o.topP,
            rngs[b],
          );
      if (!done[b]) {
        if (token === o.stopToken) done[b] = true;
        else {
          outputs[b].push(token);
          o.onToken?.(firstIndex + b, token);
        }
      }
      next[b] = token;
    }
    input = tf.tensor2d(next, [B, 1], 'int32');
    inputPositions = tf.tensor2d(
      Int32Array.from(prompts, (prompt) => prompt.length + step),
      [B, 1],
      'int32',
    );
    if (done.every(Boolean)) break;
  }
  for (const layer of cache) tf.dispose([layer.k, layer.v]);
  tf.dispose([input, inputPositions]);
  return outputs;
}

/** New tokens for each prompt (the stop token excluded). */
export function generate(model: CausalLM, prompts: number[][], options: GenerateOptions): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < prompts.length; start += options.batchSize) {
    out.push(...generateBatch(model, prompts.slice(start, start + options.batchSize), start, options));
  }
  return out;
}
