// llama2.c's tokenizer.bin (github.com/karpathy/llama2.c): int32 max_token_length, then per token a
// float32 score, an int32 length and the bytes, converted to a Hugging Face tokenizer.json
// (SentencePiece-style BPE with byte fallback) that encodes as llama2.c's `encode` does: a dummy-prefix
// space, one symbol per UTF-8 character (its bytes' <0xNN> tokens when it is not a piece), then merging
// the adjacent pair whose concatenation is the highest-scoring piece. BPE merges ranked by that score
// give the same merges.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
    const score = view.getFloat32(offset, true),
      length = view.getInt32(offset + 4, true);
    offset += 8;
    if (length < 0 || offset + length > bytes.length)
      throw new Error(`${path}: token ${pieces.length} has length ${length}, past the end of the file`);
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
  if (vocabSize !== undefined && pieces.length < vocabSize)
    throw new Error(`${path}: ${pieces.length} tokens, but the model's vocab_size is ${vocabSize}`);
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
      const left = chars.slice(0, k).join(''),
        right = chars.slice(k).join('');
      if (scoreOf.has(left) && scoreOf.has(right)) merges.push({ left, right, score, id: vocab[piece] });
    }
  }
  merges.sort((a, b) => b.score - a.score || a.id - b.id || vocab[a.left] - vocab[b.left]);
  const added = specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPACE },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: merges.map((m) => [m.left, m.right]),
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'LlamaTokenizerFast',
    bos_token: '<s>',
    eos_token: '<s>',
    unk_token: '<unk>',
    pad_token: '<unk>',
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 1e30,
  };
  return { files: { 'tokenizer.json': tokenizerJson, 'tokenizer_config.json': tokenizerConfig }, bos: 1, eos: 1 };
}

/** The checkpoint and tokenizer files of a llama2.c folder, or undefined when it is not one. */
export function llama2cFiles(dir: string): { checkpoint: string; tokenizer: string } | undefined {
  if (
    !existsSync(dir) ||
    !statSync(dir).isDirectory() ||
    existsSync(join(dir, 'config.json')) ||
    existsSync(join(dir, 'tokenizer.json'))
  )
    return undefined;
  const bins = readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort();
  const tokenizers = bins.filter((f) => /^tok/.test(f));
  const checkpoints = bins.filter((f) => !/^tok/.test(f));
  if (tokenizers.length === 0 && checkpoints.length === 0) return undefined;
  if (checkpoints.length !== 1 || tokenizers.length !== 1) {
    throw new Error(
      `${dir}: a llama2.c folder needs one checkpoint .bin and one tokenizer .bin (named tok*.bin); ` +
        `found ${bins.join(', ') || 'none'}`,
    );
  }
  return { checkpoint: join(dir, checkpoints[0]), tokenizer: join(dir, tokenizers[0]) };
}
