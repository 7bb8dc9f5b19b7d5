// What the trainer needs from a tokenizer, whichever kind it is: the project's word-level tokenizer
// for the synthetic tasks, or any Hugging Face tokenizer.json (pretrained, or trained here).
import { existsSync } from 'node:fs';
import { readJsonFile } from '@spo/engine';
import { join } from 'node:path';
import { WordTokenizer } from './word-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { llama2cFiles, readLlama2cTokenizer } from './llama2c-tokenizer.js';

export interface TextTokenizer {
  /** Ids are 0..size-1. */
  readonly size: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Ids of a text, without special tokens. */
  encode(text: string): number[];
  /** The text of ids, special tokens dropped. */
  decode(ids: readonly number[]): string;
  /** The files that recreate it (tokenizer.json, and tokenizer_config.json for Hugging Face ones), as JSON values. */
  files(): Record<string, unknown>;
}

/** A tokenizer from its files' JSON values (tokenizer.json, and tokenizer_config.json for Hugging Face ones). */
export function tokenizerFromFiles(files: Record<string, unknown>, source = 'tokenizer.json'): TextTokenizer {
  const json = files['tokenizer.json'] as Record<string, unknown> | undefined;
  if (!json) throw new Error(`${source}: no tokenizer.json among the tokenizer files`);
  if (WordTokenizer.isOwnFormat(json)) return WordTokenizer.fromJSON(json, source);
  return HfTokenizer.fromFiles(json, (files['tokenizer_config.json'] ?? {}) as Record<string, unknown>, source);
}

/**
 * The tokenizer saved in a folder (a prepared dataset, a checkpoint, a Hugging Face or a llama2.c model folder):
 * the fast word-level one when tokenizer.json is the project's own, else through @huggingface/transformers.
 */
export function loadTokenizer(dir: string): TextTokenizer {
  const llama2c = llama2cFiles(dir);
  if (llama2c) return tokenizerFromFiles(readLlama2cTokenizer(llama2c.tokenizer).files, llama2c.tokenizer);
  const path = join(dir, 'tokenizer.json');
  if (!existsSync(path)) throw new Error(`${dir} has no tokenizer.json (nor a llama2.c tokenizer .bin)`);
  const json = readJsonFile<Record<string, unknown>>(path, 'restore it from the model or dataset it came with');
  if (WordTokenizer.isOwnFormat(json)) return WordTokenizer.fromJSON(json, path);
  return HfTokenizer.fromFolder(dir);
}
