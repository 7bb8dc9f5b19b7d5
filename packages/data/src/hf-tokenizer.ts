// A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) through @huggingface/transformers,
// offline: it is built from the local files, so no hub is ever asked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { TextTokenizer } from './tokenizer.js';
import { transformersModule } from './transformers-module.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export class HfTokenizer implements TextTokenizer {
  readonly size: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;

  private constructor(
    private readonly tok: PreTrainedTokenizer,
    private readonly json: unknown,
    private readonly config: Record<string, unknown>,
    source: string,
  ) {
    if (tok.eos_token_id === undefined || tok.eos_token_id === null) {
      throw new Error(
        `${source}: the tokenizer has no end-of-sequence token: set "eos_token" in tokenizer_config.json`,
      );
    }
    this.eosId = tok.eos_token_id;
    this.bosId = tok.bos_token_id ?? this.eosId;
    this.padId = tok.pad_token_id ?? this.eosId;
    this.size = Math.max(...tok.get_vocab().values()) + 1;
  }

  static fromFiles(
    tokenizerJson: unknown,
    tokenizerConfig: Record<string, unknown>,
    source = 'tokenizer.json',
  ): HfTokenizer {
    const { PreTrainedTokenizer } = transformersModule();
    let tok: PreTrainedTokenizer;
    try {
      tok = new PreTrainedTokenizer(tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new Error(
        `${source}: @huggingface/transformers could not build a tokenizer from it (${(error as Error).message})`,
      );
    }
    return new HfTokenizer(tok, tokenizerJson, tokenizerConfig, source);
  }

  /** tokenizer.json and, where present, tokenizer_config.json (special tokens, chat template) from a local folder. */
  static fromFolder(dir: string): HfTokenizer {
    const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (!existsSync(join(dir, 'tokenizer.json')))
      throw new Error(
        `${dir}: no tokenizer.json (data.tokenizer.path must be a folder holding a Hugging Face tokenizer.json)`,
      );
    const config = existsSync(join(dir, 'tokenizer_config.json')) ? read('tokenizer_config.json') : {};
    return HfTokenizer.fromFiles(read('tokenizer.json'), config, join(dir, 'tokenizer.json'));
  }

  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false });
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return '';
    return this.tok.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  get hasChatTemplate(): boolean {
    return typeof this.config.chat_template === 'string' || Array.isArray(this.config.chat_template);
  }

  /** The prompt text of a conversation under the tokenizer's chat template, ready for the assistant's turn. */
  applyChatTemplate(messages: readonly ChatMessage[]): string {
    if (!this.hasChatTemplate)
      throw new Error('the tokenizer has no chat_template in its tokenizer_config.json (use data.chatFormat "hh")');
    return this.tok.apply_chat_template([...messages], { tokenize: false, add_generation_prompt: true }) as string;
  }

  files(): Record<string, unknown> {
    return { 'tokenizer.json': this.json, 'tokenizer_config.json': this.config };
  }
}
