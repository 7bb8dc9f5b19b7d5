// An experiment config's "model" section: a shape to train from scratch (GPT-2 style, with SFT), or a
// pretrained folder to start from ({"from": <folder>}, Hugging Face or llama2.c) with optional LoRA.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { sha256File } from '@spo/engine';
import { fetchHint, llama2cFiles } from '@spo/data';
import { ModelShapeSchema, type ModelConfig, type ModelShape } from './config.js';
import { LoraConfigSchema } from './lora.js';
import { readHfConfig } from './hf-folder.js';
import { readLlama2cHeader } from './llama2c-checkpoint.js';

export const PretrainedModelSchema = z
  .object({
    /**
     * A model folder: Hugging Face (config.json, safetensors, tokenizer.json) or llama2.c (checkpoint
     * and tokenizer .bin).
     */
    from: z.string().min(1),
    /** Train LoRA adapters instead of every weight. */
    lora: LoraConfigSchema.optional(),
  })
  .strict();

export const ModelSectionSchema = z.union([PretrainedModelSchema, ModelShapeSchema], {
  error:
    'model must be a shape to train from scratch ({"dModel", "nLayers", "nHeads", "maxPositions"}) ' +
    'or a pretrained folder ({"from": <folder>, "lora"?: {...}})',
});

export type PretrainedModelSection = z.infer<typeof PretrainedModelSchema>;
export type ModelSection = PretrainedModelSection | ModelShape;

export function isPretrained(m: ModelSection): m is PretrainedModelSection {
  return 'from' in m;
}

/** The config of a pretrained folder without reading its weights. */
export function readPretrainedConfig(dir: string): ModelConfig {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const hint = fetchHint(dir);
    throw new Error(
      `${dir} is not a folder (paths are relative to the directory you run spo or nx from)${hint ? `; ${hint}` : ''}`,
    );
  }
  const llama2c = llama2cFiles(dir);
  if (llama2c) return readLlama2cHeader(llama2c.checkpoint).config;
  return readHfConfig(dir);
}

const digests = new Map<string, Record<string, string>>();

/**
 * sha256 of each file of a model folder (sorted by name): what the stages that start from it depend on.
 * Worked out once per process and folder (the plan and the data stage both ask; a model may be large).
 */
export function pretrainedDigest(dir: string): Record<string, string> {
  const known = digests.get(resolve(dir));
  if (known) return known;
  if (!existsSync(dir)) throw new Error(`model.from: ${dir} does not exist`);
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile() && !/\.(md|txt)$/i.test(name)) out[name] = sha256File(path);
  }
  digests.set(resolve(dir), out);
  return out;
}

/** A short description for logs: "llama2.c folder models/stories260K". */
export function describePretrained(dir: string): string {
  return `${llama2cFiles(dir) ? 'llama2.c' : 'Hugging Face'} folder ${dir}`;
}
