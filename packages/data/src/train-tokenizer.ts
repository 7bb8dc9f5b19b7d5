// Training a tokenizer on a dataset, for models trained from scratch: byte-level BPE (as GPT-2: every
// text encodes, nothing is unknown) or word-level (words and punctuation, rare words -> <unk>).
// The result is a Hugging Face tokenizer.json + tokenizer_config.json, used through HfTokenizer, so
// the ids at training time are exactly the ids any Hugging Face tokenizer library gives.
import { HfTokenizer } from './hf-tokenizer.js';

export interface TokenizerTrainingOptions {
  kind: 'bpe' | 'word';
  /** Size of the vocabulary, special tokens included. */
  vocabSize: number;
  /** BPE: the fewest occurrences a merge needs; word: the fewest a word needs to get its own id. */
  minFrequency: number;
}

const SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>'];
const TOKENIZER_CONFIG = {
  bos_token: '<bos>',
  eos_token: '<eos>',
  pad_token: '<pad>',
  unk_token: '<unk>',
  clean_up_tokenization_spaces: false,
};

const addedTokens = () =>
  SPECIALS.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));

export function trainTokenizer(texts: Iterable<string>, o: TokenizerTrainingOptions): HfTokenizer {
  const json = o.kind === 'bpe' ? trainBpe(texts, o) : trainWordLevel(texts, o);
  return HfTokenizer.fromFiles(json, TOKENIZER_CONFIG, `trained ${o.kind} tokenizer`);
}

// GPT-2's pre-tokenisation pattern (the one Hugging Face's ByteLevel pre-tokenizer uses).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible map from bytes to printable characters. */
function byteAlphabet(): string[] {
  const printable = [...range(33, 126), ...range(161, 172), ...range(174, 255)];
  let extra = 0;
  return range(0, 255).map((b) => String.fromCharCode(printable.includes(b) ? b : 256 + extra++));
}
function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

function trainBpe(texts: Iterable<string>, o: TokenizerTrainingOptions): unknown {
  const alphabet = byteAlphabet();
  const encoder = new TextEncoder();
  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(GPT2_SPLIT)) {
      const word = Array.from(encoder.encode(m[0]), (b) => alphabet[b]).join('');
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
    }
  }
  const words = [...wordCounts.entries()].map(([w, count]) => ({ symbols: [...w], count }));
  const vocab = new Map<string, number>(SPECIALS.map((s, i) => [s, i]));
  for (const ch of alphabet) vocab.set(ch, vocab.size);

  // pair -> summed count, and pair -> the words holding it, kept up to date merge by merge
  const SEP = '\u0000';
  const pairCounts = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const addPairs = (i: number, sign: 1 | -1) => {
    const { symbols, count } = words[i];
    for (let j = 0; j + 1 < symbols.length; j++) {
      const key = symbols[j] + SEP + symbols[j + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * count);
      if (sign > 0) (pairWords.get(key) ?? pairWords.set(key, new Set()).get(key)!).add(i);
    }
  };
  words.forEach((_, i) => addPairs(i, 1));

  const merges: string[] = [];
  while (vocab.size < o.vocabSize) {
    let best = '',
      bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && count > 0 && key < best)) [best, bestCount] = [key, count];
    }
    if (bestCount < o.minFrequency || bestCount === 0) break;
    const [a, b] = best.split(SEP);
    const merged = a + b;
    for (const i of pairWords.get(best) ?? []) {
      const { symbols } = words[i];
      addPairs(i, -1);
      const next: string[] = [];
      for (let j = 0; j < symbols.length; j++) {
        if (j + 1 < symbols.length && symbols[j] === a && symbols[j + 1] === b) {
          next.push(merged);
          j++;
        } else next.push(symbols[j]);
      }
      words[i].symbols = next;
      addPairs(i, 1);
    }
    pairCounts.delete(best);
    pairWords.delete(best);
    merges.push(`${a} ${b}`);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}

// Hugging Face's Whitespace pre-tokenizer: runs of word characters, or runs of other non-space characters.
const WORD_SPLIT = /\w+|[^\w\s]+/gu;

function trainWordLevel(texts: Iterable<string>, o: TokenizerTrainingOptions): unknown {
  const counts = new Map<string, number>();
  for (const text of texts) for (const m of text.matchAll(WORD_SPLIT)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const kept = [...counts.entries()]
    .filter(([w, c]) => c >= o.minFrequency && !SPECIALS.includes(w))
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, Math.max(0, o.vocabSize - SPECIALS.length));
  const vocab = Object.fromEntries([...SPECIALS, ...kept.map(([w]) => w)].map((w, i) => [w, i]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(),
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
}
