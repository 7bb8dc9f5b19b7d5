// A checkpoint is one folder: model.safetensors + config.json (Hugging Face names for its architecture) +
// the tokenizer's files (tokenizer.json, and tokenizer_config.json for Hugging Face tokenizers),
// written atomically, so it opens like a Hugging Face model folder, with checksums.json (each file's size
// and sha256) checked when it is loaded.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checksumProblems, readJsonFile, writeChecksums, writeDirAtomic } from '@spo/engine';
import type { CausalLM } from './causal-lm.js';
import { toHfConfig } from './hf-config.js';
import { readHfModel } from './hf-folder.js';
import { writeModelFiles } from './model-files.js';

/** File name -> JSON value of each tokenizer file, tokenizer.json among them. */
export type TokenizerFiles = Record<string, unknown>;

/** Write the checkpoint files into an existing folder (not atomic, no checksums: see saveCheckpoint). */
export function writeCheckpointFiles(dir: string, model: CausalLM, tokenizer: TokenizerFiles): void {
  writeModelFiles(dir, model.hfTensors(), toHfConfig(model.config), tokenizer);
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
export function verifyCheckpoint(
  dir: string,
  advice = 'delete the folder and run the stage that wrote it again',
): void {
  for (const file of ['model.safetensors', 'config.json', 'tokenizer.json']) {
    if (!existsSync(join(dir, file))) throw new Error(`checkpoint ${dir} has no ${file}; ${advice}`);
  }
  const problems = checksumProblems(dir);
  if (problems.length) throw new Error(`checkpoint ${dir} is damaged: ${problems.join('; ')}; ${advice}`);
}

export function loadCheckpoint(dir: string, trainable = true): LoadedCheckpoint {
  verifyCheckpoint(dir);
  const model = readHfModel(dir, trainable);
  return {
    model,
    tokenizer: readJsonFile(
      join(dir, 'tokenizer.json'),
      'restore it or delete the checkpoint folder and rerun its stage',
    ),
  };
}
