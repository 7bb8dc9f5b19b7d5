// A checkpoint is one folder: model.safetensors + config.json (Hugging Face GPT-2 names) + the tokenizer's
// files (tokenizer.json, and tokenizer_config.json for Hugging Face tokenizers),
// written atomically, so it opens like a Hugging Face model folder, with checksums.json (each file's size
// and sha256) checked when it is loaded.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumProblems, readJsonFile, encodeSafetensors, writeChecksums, writeDirAtomic } from '@spo/engine';
import type { CausalLM } from './causal-lm.js';
import { toHfConfig } from './hf-config.js';
import { readHfModel } from './hf-folder.js';

/** File name -> JSON value of each tokenizer file, tokenizer.json among them. */
export type TokenizerFiles = Record<string, unknown>;

/** Write the checkpoint files into an existing folder (not atomic, no checksums: see saveCheckpoint). */
export function writeCheckpointFiles(dir: string, model: CausalLM, tokenizer: TokenizerFiles): void {
  if (!('tokenizer.json' in tokenizer)) throw new Error('a checkpoint needs the tokenizer\'s tokenizer.json');
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(model.hfTensors(), { format: 'pt' }));
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(toHfConfig(model.config), null, 2)}\n`);
  for (const [name, json] of Object.entries(tokenizer)) writeFileSync(join(dir, name), JSON.stringify(json));
}

export function saveCheckpoint(dir: string, model: CausalLM, tokenizer: TokenizerFiles): void {
  writeDirAtomic(dir, (tmp) => {
    writeCheckpointFiles(tmp, model, tokenizer);
    writeChecksums(tmp);
  });
}

export interface LoadedCheckpoint {
  model: CausalLM;
  tokenizer: unknown;
}

/** Throws, naming the folder, each damaged file and what to do, unless the checkpoint's files are whole. */
export function verifyCheckpoint(dir: string, advice = 'delete the folder and run the stage that wrote it again'): void {
  for (const file of ['model.safetensors', 'config.json', 'tokenizer.json']) {
    if (!existsSync(join(dir, file))) throw new Error(`checkpoint ${dir} has no ${file}; ${advice}`);
  }
  const problems = checksumProblems(dir);
  if (problems.length) throw new Error(`checkpoint ${dir} is damaged: ${problems.join('; ')}; ${advice}`);
}

export function loadCheckpoint(dir: string, trainable = true): LoadedCheckpoint {
  verifyCheckpoint(dir);
  const model = readHfModel(dir, trainable);
  return { model, tokenizer: readJsonFile(join(dir, 'tokenizer.json'), 'restore it or delete the checkpoint folder and rerun its stage') };
}
