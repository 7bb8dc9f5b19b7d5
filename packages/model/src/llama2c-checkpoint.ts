// llama2.c checkpoints (github.com/karpathy/llama2.c), read into Hugging Face's Llama layout: the
// legacy header of 7 int32s (a negative vocab_size means an unshared classifier) or version 1 ("ak42"
// magic, 256-byte header); version 2 (int8) is refused. Weights are float32. (Its tokenizer.bin is
// @spo/data's llama2c-tokenizer.ts.)
import { readFileSync } from 'node:fs';
import type { TensorMap } from '@spo/engine';
import { LlamaConfigSchema, type LlamaConfig } from './config.js';

const VERSION1_MAGIC = 0x616b3432; // "ak42"

export interface Llama2cCheckpoint {
  config: LlamaConfig;
  /** Hugging Face LlamaForCausalLM names and layout. */
  tensors: TensorMap;
}

/**
 * llama2.c's q and k rows rotate adjacent pairs (2i, 2i+1) of each head; Hugging Face's rotate the
 * halves (i, i + headDim/2). Reordering each head's rows so row a·headDim/2 + i takes row 2i + a makes
 * the two the same function (llama2.c's export.py `permute_original`).
 */
function permuteForRotateHalf(w: Float32Array, heads: number, rows: number, cols: number): Float32Array {
  const dh = rows / heads,
    half = dh / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let a = 0; a < 2; a++) {
      for (let i = 0; i < half; i++) {
        const from = (h * dh + 2 * i + a) * cols,
          to = (h * dh + a * half + i) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}

export interface Llama2cHeader {
  config: LlamaConfig;
  /** Where the weights start: 28 (legacy) or 256 (version 1). */
  offset: number;
}

/** The header of a llama2.c checkpoint: its config and where the weights start. */
export function readLlama2cHeader(path: string, bytes: Uint8Array = readFileSync(path)): Llama2cHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 28)
    throw new Error(`${path}: ${bytes.length} bytes is too short for a llama2.c checkpoint header`);
  let offset: number, shared: boolean;
  const header: number[] = [];
  if (view.getUint32(0, true) === VERSION1_MAGIC) {
    const version = view.getInt32(4, true);
    if (version !== 1)
      throw new Error(
        `${path}: llama2.c checkpoint version ${version} is not supported ` +
          `(version 1, float32, and legacy files are; version 2 is int8-quantised)`,
      );
    for (let i = 0; i < 7; i++) header.push(view.getInt32(8 + 4 * i, true));
    shared = view.getUint8(36) === 1;
    offset = 256;
  } else {
    for (let i = 0; i < 7; i++) header.push(view.getInt32(4 * i, true));
    shared = header[5] > 0;
    header[5] = Math.abs(header[5]);
    offset = 28;
  }
  const [dim, hidden, layers, heads, kvHeads, vocab, seqLen] = header;
  const parsed = LlamaConfigSchema.safeParse({
    architecture: 'llama',
    vocabSize: vocab,
    maxPositions: seqLen,
    dModel: dim,
    nLayers: layers,
    nHeads: heads,
    nKvHeads: kvHeads,
    intermediateSize: hidden,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: shared,
    attentionBias: false,
  });
  if (!parsed.success)
    throw new Error(
      `${path}: header [dim ${dim}, hidden_dim ${hidden}, n_layers ${layers}, ` +
        `n_heads ${heads}, n_kv_heads ${kvHeads}, vocab_size ${vocab}, seq_len ${seqLen}] is not a valid model: ` +
        `${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  return { config: parsed.data, offset };
}

export function readLlama2cCheckpoint(path: string): Llama2cCheckpoint {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readLlama2cHeader(path, bytes);
  const { config } = header;
  let offset = header.offset;
  const {
    dModel: dim,
    intermediateSize: hidden,
    nLayers: layers,
    nHeads: heads,
    nKvHeads: kvHeads,
    vocabSize: vocab,
    maxPositions: seqLen,
    tieWordEmbeddings: shared,
  } = config;
  const kvDim = (dim / heads) * kvHeads;
  const take = (count: number, what: string): Float32Array => {
    if (offset + 4 * count > bytes.length)
      throw new Error(
        `${path}: the file ends inside ${what} (${bytes.length} bytes; the header implies more): ` +
          `the file is cut short or not this format`,
      );
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * count;
    return out;
  };
  const perLayer = (shape: number[], what: string) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const all = take(layers * size, what);
    return Array.from({ length: layers }, (_, l) => all.slice(l * size, (l + 1) * size));
  };
  const tensors: TensorMap = {};
  const put = (name: string, shape: number[], data: Float32Array) =>
    (tensors[name] = { dtype: 'float32', shape, data });
  const layerName = (l: number, rest: string) => `model.layers.${l}.${rest}`;
  const putLayers = (rest: string, shape: number[], values: Float32Array[]) =>
    values.forEach((v, l) => put(layerName(l, rest), shape, v));
  const permuteAll = (values: Float32Array[], n: number, rows: number) =>
    values.map((w) => permuteForRotateHalf(w, n, rows, dim));
  if (offset === 256) {
    // version 1: norms first, then the embedding, then the projections (export.py's version1_export)
    putLayers('input_layernorm.weight', [dim], perLayer([dim], 'attention norms'));
    putLayers('post_attention_layernorm.weight', [dim], perLayer([dim], 'feed-forward norms'));
    put('model.norm.weight', [dim], take(dim, 'the final norm'));
    put('model.embed_tokens.weight', [vocab, dim], take(vocab * dim, 'the token embedding'));
    putLayers('self_attn.q_proj.weight', [dim, dim], permuteAll(perLayer([dim, dim], 'wq'), heads, dim));
    putLayers('self_attn.k_proj.weight', [kvDim, dim], permuteAll(perLayer([kvDim, dim], 'wk'), kvHeads, kvDim));
    putLayers('self_attn.v_proj.weight', [kvDim, dim], perLayer([kvDim, dim], 'wv'));
    putLayers('self_attn.o_proj.weight', [dim, dim], perLayer([dim, dim], 'wo'));
    putLayers('mlp.gate_proj.weight', [hidden, dim], perLayer([hidden, dim], 'w1'));
    putLayers('mlp.down_proj.weight', [dim, hidden], perLayer([dim, hidden], 'w2'));
    putLayers('mlp.up_proj.weight', [hidden, dim], perLayer([hidden, dim], 'w3'));
  } else {
    put('model.embed_tokens.weight', [vocab, dim], take(vocab * dim, 'the token embedding'));
    putLayers('input_layernorm.weight', [dim], perLayer([dim], 'rms_att_weight'));
    putLayers('self_attn.q_proj.weight', [dim, dim], permuteAll(perLayer([dim, dim], 'wq'), heads, dim));
    putLayers('self_attn.k_proj.weight', [kvDim, dim], permuteAll(perLayer([kvDim, dim], 'wk'), kvHeads, kvDim));
    putLayers('self_attn.v_proj.weight', [kvDim, dim], perLayer([kvDim, dim], 'wv'));
    putLayers('self_attn.o_proj.weight', [dim, dim], perLayer([dim, dim], 'wo'));
    putLayers('post_attention_layernorm.weight', [dim], perLayer([dim], 'rms_ffn_weight'));
    putLayers('mlp.gate_proj.weight', [hidden, dim], perLayer([hidden, dim], 'w1'));
    putLayers('mlp.down_proj.weight', [dim, hidden], perLayer([dim, hidden], 'w2'));
    putLayers('mlp.up_proj.weight', [hidden, dim], perLayer([hidden, dim], 'w3'));
    put('model.norm.weight', [dim], take(dim, 'rms_final_weight'));
    take(seqLen * (dim / heads / 2) * 2, 'the legacy RoPE tables'); // skipped: computed from rope_theta
  }
  if (!shared) put('lm_head.weight', [vocab, dim], take(vocab * dim, 'the output classifier'));
  if (offset !== bytes.length)
    throw new Error(
      `${path}: ${bytes.length - offset} bytes are left after the last tensor the header implies: ` +
        `not a llama2.c checkpoint of this shape`,
    );
  return { config, tensors };
}
