// A word-level tokenizer for models trained from scratch, saved in Hugging Face's tokenizer.json format
// (model WordLevel, pre-tokenizer WhitespaceSplit), so @huggingface/tokenizers and transformers load it.

export const SPECIAL_TOKENS = { pad: '<pad>', unk: '<unk>', bos: '<bos>', eos: '<eos>' } as const;

import type { TextTokenizer } from './tokenizer.js';

export class WordTokenizer implements TextTokenizer {
  readonly vocab: Map<string, number>;
  private readonly words: string[];

  constructor(words: readonly string[]) {
    this.words = [...words];
    this.vocab = new Map(this.words.map((w, i) => [w, i]));
    for (const s of Object.values(SPECIAL_TOKENS))
      if (!this.vocab.has(s)) throw new Error(`tokenizer vocabulary lacks ${s}`);
  }

  /** Vocabulary: the special tokens, then every distinct whitespace-separated word of `texts`, sorted. */
  static fromTexts(texts: Iterable<string>): WordTokenizer {
    const seen = new Set<string>();
    for (const text of texts) for (const w of text.split(/\s+/)) if (w) seen.add(w);
    const specials = Object.values(SPECIAL_TOKENS) as string[];
    return new WordTokenizer([...specials, ...[...seen].filter((w) => !specials.includes(w)).sort()]);
  }

  /** Whether a tokenizer.json is this class's own format (WordLevel over whitespace-split words). */
  static isOwnFormat(json: any): boolean {
    return (
      json?.model?.type === 'WordLevel' && json?.pre_tokenizer?.type === 'WhitespaceSplit' && json?.normalizer === null
    );
  }

  static fromJSON(json: any, source = 'tokenizer.json'): WordTokenizer {
    if (json?.model?.type !== 'WordLevel')
      throw new Error(`${source}: model.type is "${json?.model?.type}", expected "WordLevel"`);
    const words: string[] = [];
    for (const [word, id] of Object.entries(json.model.vocab as Record<string, number>)) words[id] = word;
    if (words.some((w) => w === undefined) || words.length === 0)
      throw new Error(`${source}: model.vocab ids are not 0..n-1`);
    return new WordTokenizer(words);
  }

  get size(): number {
    return this.words.length;
  }
  get padId(): number {
    return this.vocab.get(SPECIAL_TOKENS.pad)!;
  }
  get unkId(): number {
    return this.vocab.get(SPECIAL_TOKENS.unk)!;
  }
  get bosId(): number {
    return this.vocab.get(SPECIAL_TOKENS.bos)!;
  }
  get eosId(): number {
    return this.vocab.get(SPECIAL_TOKENS.eos)!;
  }

  encode(text: string): number[] {
    return text
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => this.vocab.get(w) ?? this.unkId);
  }

  /** Words for ids, special tokens dropped. */
  decode(ids: readonly number[]): string {
    const specials = new Set([this.padId, this.bosId, this.eosId]);
    return ids
      .filter((id) => !specials.has(id))
      .map((id) => this.words[id] ?? SPECIAL_TOKENS.unk)
      .join(' ');
  }

  files(): Record<string, unknown> {
    return { 'tokenizer.json': this.toJSON() };
  }

  toJSON(): Record<string, unknown> {
    const special = Object.values(SPECIAL_TOKENS) as string[];
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: special.map((content) => ({
        id: this.vocab.get(content),
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: null,
      pre_tokenizer: { type: 'WhitespaceSplit' },
      post_processor: null,
      decoder: null,
      model: {
        type: 'WordLevel',
        vocab: Object.fromEntries(this.words.map((w, i) => [w, i])),
        unk_token: SPECIAL_TOKENS.unk,
      },
    };
  }
}
