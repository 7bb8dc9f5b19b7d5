// A checkpoint is one folder: model.safetensors + config.json (Hugging Face GPT-2 names) + the tokenizer's
// files (tokenizer.json, and tokenizer_config.json for Hugging Face tokenizers),
// written atomically, so it opens like a Hugging Face model folder, with checksums.json (each file's size
// and sha256) checked when it is loaded.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, checksumProblems, readJsonFile, readSafetensors, encodeSafetensors, writeChecksums, writeDirAtomic } from '@spo/engine';
import type { TensorMap } from '@spo/engine';
import { CausalLM } from './causal-lm.js';
import { fromHfConfig, toHfConfig } from './config.js';

/** Parameter values as host arrays, named as in Hugging Face's GPT-2 (without the "transformer." prefix). */
export function modelTensors(model: CausalLM): TensorMap {
  const out: TensorMap = {};
  for (const [name, v] of model.params) out[name] = { dtype: 'float32', shape: v.shape, data: v.dataSync() as Float32Array };
  return out;
}

/** File name -> JSON value of each tokenizer file, tokenizer.json among them. */
export type TokenizerFiles = Record<string, unknown>;

/** Write the checkpoint files into an existing folder (not atomic, no checksums: see saveCheckpoint). */
export function writeCheckpointFiles(dir: string, model: CausalLM, tokenizer: TokenizerFiles): void {
  if (!('tokenizer.json' in tokenizer)) throw new Error('a checkpoint needs the tokenizer\'s tokenizer.json');
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(modelTensors(model), { format: 'pt' }));
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
  const config = fromHfConfig(readJsonFile(join(dir, 'config.json'), 'restore it or delete the checkpoint folder and rerun its stage'), join(dir, 'config.json'));
  const { tensors } = readSafetensors(join(dir, 'model.safetensors'));
  const template = CausalLM.init(config, 0);
  const params = new Map<string, tf.Variable>();
  for (const [name, v] of template.params) {
    const key = tensors[name] ? name : `transformer.${name}`;
    const t = tensors[key];
    if (!t) throw new Error(`${join(dir, 'model.safetensors')}: missing tensor ${name}`);
    if (t.shape.join(',') !== v.shape.join(',')) throw new Error(`${join(dir, 'model.safetensors')}: ${name} has shape [${t.shape}], config implies [${v.shape}]`);
    params.set(name, tf.variable(tf.tensor(t.data, t.shape), trainable));
  }
  template.dispose();
  return { model: new CausalLM(config, params), tokenizer: readJsonFile(join(dir, 'tokenizer.json'), 'restore it or delete the checkpoint folder and rerun its stage') };
}
