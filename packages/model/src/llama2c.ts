// llama2.c's file formats (github.com/karpathy/llama2.c), read into Hugging Face's layout:
//  - checkpoints: the legacy header of 7 int32s (a negative vocab_size means an unshared classifier) or
//    version 1 ("ak42" magic, 256-byte header); version 2 (int8) is refused. Weights are float32.
//  - tokenizer.bin: int32 max_token_length, then per token a float32 score, an int32 length and the
//    bytes, converted to a tokenizer.json (SentencePiece-style BPE with byte fallback) that encodes as
//    llama2.c's `encode` does: a dummy-prefix space, one symbol per UTF-8 character (its bytes' <0xNN>
//    tokens when it is not a piece), then merging the adjacent pair whose concatenation is the
//    highest-scoring piece. BPE merges ranked by that score give the same merges.
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
  const dh = rows / heads, half = dh / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let a = 0; a < 2; a++) {
      for (let i = 0; i < half; i++) {
        const from = (h * dh + 2 * i + a) * cols, to = (h * dh + a * half + i) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}

export function readLlama2cCheckpoint(path: string): Llama2cCheckpoint {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 28) throw new Error(`${path}: ${bytes.length} bytes is too short for a llama2.c checkpoint header`);
  let offset: number, shared: boolean;
  const header: number[] = [];
  if (view.getUint32(0, true) === VERSION1_MAGIC) {
    const version = view.getInt32(4, true);
    if (version !== 1) throw new Error(`${path}: llama2.c checkpoint version ${version} is not supported (version 1, float32, and legacy files are; version 2 is int8-quantised)`);
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
    architecture: 'llama', vocabSize: vocab, maxPositions: seqLen, dModel: dim, nLayers: layers, nHeads: heads, nKvHeads: kvHeads,
    intermediateSize: hidden, rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: shared, attentionBias: false,
  });
  if (!parsed.success) throw new Error(`${path}: header [dim ${dim}, hidden_dim ${hidden}, n_layers ${layers}, n_heads ${heads}, n_kv_heads ${kvHeads}, vocab_size ${vocab}, seq_len ${seqLen}] is not a valid model: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const config = parsed.data;
  const kvDim = (dim / heads) * kvHeads;
  const take = (count: number, what: string): Float32Array => {
    if (offset + 4 * count > bytes.length) throw new Error(`${path}: the file ends inside ${what} (${bytes.length} bytes; the header implies more): the file is cut short or not this format`);
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
  const put = (name: string, shape: number[], data: Float32Array) => (tensors[name] = { dtype: 'float32', shape, data });
  const layerName = (l: number, rest: string) => `model.layers.${l}.${rest}`;
  const putLayers = (rest: string, shape: number[], values: Float32Array[]) => values.forEach((v, l) => put(layerName(l, rest), shape, v));
  const permuteAll = (values: Float32Array[], n: number, rows: number) => values.map((w) => permuteForRotateHalf(w, n, rows, dim));
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
  if (offset !== bytes.length) throw new Error(`${path}: ${bytes.length - offset} bytes are left after the last tensor the header implies: not a llama2.c checkpoint of this shape`);
  return { config, tensors };
}

export interface Llama2cTokenizer {
  /** Hugging Face tokenizer.json and tokenizer_config.json. */
  files: { 'tokenizer.json': unknown; 'tokenizer_config.json': Record<string, unknown> };
  bos: number;
  eos: number;
}

const SPACE = '\u2581'; // SentencePiece's visible space

/**
 * tokenizer.bin as Hugging Face files. Ids 0, 1, 2 are <unk>, <s>, </s> (llama2.c writes BOS and EOS
 * as "\n<s>\n" and "\n</s>\n"); <0xNN> tokens are byte fallback. llama2.c's models are trained on
 * stories each preceded by BOS, so BOS is what ends a sample (run.c stops on it): eos_token is <s>.
 */
export function readLlama2cTokenizer(path: string, vocabSize?: number): Llama2cTokenizer {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pieces: string[] = [];
  const scores: number[] = [];
  let offset = 4;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  while (offset < bytes.length && (vocabSize === undefined || pieces.length < vocabSize)) {
    if (offset + 8 > bytes.length) throw new Error(`${path}: the file ends inside token ${pieces.length}'s header`);
    const score = view.getFloat32(offset, true), length = view.getInt32(offset + 4, true);
    offset += 8;
    if (length < 0 || offset + length > bytes.length) throw new Error(`${path}: token ${pieces.length} has length ${length}, past the end of the file`);
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(offset, offset + length));
    } catch {
      throw new Error(`${path}: token ${pieces.length} is not valid UTF-8`);
    }
    offset += length;
    pieces.push(text);
    scores.push(score);
  }
  if (vocabSize !== undefined && pieces.length < vocabSize) throw new Error(`${path}: ${pieces.length} tokens, but the model's vocab_size is ${vocabSize}`);
  const specials = ['<unk>', '<s>', '</s>'];
  const vocab: Record<string, number> = {};
  const scoreOf = new Map<string, number>();
  pieces.forEach((raw, id) => {
    const piece = id < 3 ? specials[id] : raw.replaceAll(' ', SPACE);
    if (!(piece in vocab)) vocab[piece] = id;
    if (id >= 3 && !/^<0x[0-9A-F]{2}>$/.test(piece)) scoreOf.set(piece, scores[id]);
  });
  // every split of a piece into two pieces is a merge, ranked by the merged piece's score
  const merges: { left: string; right: string; score: number; id: number }[] = [];
  for (const [piece, score] of scoreOf) {
    const chars = [...piece];
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join(''), right = chars.slice(k).join('');
      if (scoreOf.has(left) && scoreOf.has(right)) merges.push({ left, right, score, id: vocab[piece] });
    }
  }
  merges.sort((a, b) => b.score - a.score || a.id - b.id || vocab[a.left] - vocab[b.left]);
  const added = specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: SPACE }, { type: 'Replace', pattern: { String: ' ' }, content: SPACE }] },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: SPACE }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges: merges.map((m) => [m.left, m.right]),
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'LlamaTokenizerFast', bos_token: '<s>', eos_token: '<s>', unk_token: '<unk>', pad_token: '<unk>',
    add_bos_token: true, add_eos_token: false, clean_up_tokenization_spaces: false, model_max_length: 1e30,
  };
  return { files: { 'tokenizer.json': tokenizerJson, 'tokenizer_config.json': tokenizerConfig }, bos: 1, eos: 1 };
}
