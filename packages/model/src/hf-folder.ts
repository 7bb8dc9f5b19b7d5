// Hugging Face model folders in and out: config.json (hf-config.ts) with model.safetensors or a sharded
// model.safetensors.index.json (F32, F16 or BF16 tensors), and, on the way out, tokenizer files and a
// generation_config.json, so a model trained or imported here loads in transformers and back here.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, readSafetensors, writeDirAtomic } from '@spo/engine';
import type { TensorMap } from '@spo/engine';
import type { CausalLM } from './causal-lm.js';
import { causalLMFromHfTensors } from './architectures.js';
import { fromHfConfig, toHfConfig } from './hf-config.js';
import type { ModelConfig } from './config.js';
import { writeModelFiles } from './model-files.js';

/** Every tensor of a folder's model.safetensors, or of all shards its model.safetensors.index.json names. */
export function readHfTensors(dir: string): TensorMap {
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return readSafetensors(single).tensors;
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (!existsSync(indexPath)) {
    const present = existsSync(dir) ? readdirSync(dir).join(', ') : 'the folder does not exist';
    throw new Error(
      `${dir}: no model.safetensors or model.safetensors.index.json (found: ${present}); ` +
        `PyTorch .bin weights are not read: convert them to safetensors first`,
    );
  }
  const index = readJsonFile<{ weight_map?: Record<string, string> }>(indexPath, "restore it from the model's source");
  if (!index.weight_map || typeof index.weight_map !== 'object')
    throw new Error(`${indexPath}: no "weight_map" object`);
  const tensors: TensorMap = {};
  for (const shard of new Set(Object.values(index.weight_map))) {
    const path = join(dir, shard);
    if (!existsSync(path)) throw new Error(`${indexPath} names shard ${shard}, which is not in ${dir}`);
    Object.assign(tensors, readSafetensors(path).tensors);
  }
  for (const name of Object.keys(index.weight_map))
    if (!tensors[name]) throw new Error(`${indexPath}: ${name} is not in its shard ${index.weight_map[name]}`);
  return tensors;
}

/** The config of a Hugging Face folder's config.json. */
export function readHfConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  return fromHfConfig(readJsonFile(path, "restore it from the model's source"), path);
}

/** The language model of a Hugging Face folder (extra tensors, such as a reward head, are ignored). */
export function readHfModel(dir: string, trainable = true): CausalLM {
  const config = readHfConfig(dir);
  return causalLMFromHfTensors(config, readHfTensors(dir), dir, trainable);
}

export interface SpecialTokenIds {
  bos: number;
  eos: number;
  pad?: number;
}

/** The files of a Hugging Face folder for a model, into an existing folder. */
export function writeHfModelFiles(
  dir: string,
  model: CausalLM,
  tokenizerFiles: Record<string, unknown>,
  special: SpecialTokenIds,
): void {
  const ids = {
    bos_token_id: special.bos,
    eos_token_id: special.eos,
    ...(special.pad !== undefined ? { pad_token_id: special.pad } : {}),
  };
  writeModelFiles(dir, model.hfTensors(), { ...toHfConfig(model.config), ...ids }, tokenizerFiles);
  writeFileSync(join(dir, 'generation_config.json'), `${JSON.stringify(ids, null, 2)}\n`);
}

/** A Hugging Face folder for a model, written atomically. */
export function exportHfFolder(
  dir: string,
  model: CausalLM,
  tokenizerFiles: Record<string, unknown>,
  special: SpecialTokenIds,
): void {
  writeDirAtomic(dir, (tmp) => writeHfModelFiles(tmp, model, tokenizerFiles, special));
}
