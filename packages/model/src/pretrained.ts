// A pretrained model folder, whichever format it is in: a Hugging Face folder (config.json +
// safetensors + tokenizer files; also every checkpoint this project writes) or a llama2.c folder (a
// .bin checkpoint and its tokenizer .bin), read into a model and Hugging Face tokenizer files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checksumProblems, readJsonFile, CHECKSUMS_FILE } from '@spo/engine';
import type { CausalLM } from './causal-lm.js';
import { causalLMFromHfTensors } from './architectures.js';
import { readHfModel } from './hf-folder.js';
import { llama2cFiles, readLlama2cTokenizer } from '@spo/data';
import { readLlama2cCheckpoint } from './llama2c-checkpoint.js';

export interface PretrainedModel {
  model: CausalLM;
  /** tokenizer.json (and tokenizer_config.json where there is one), as JSON values. */
  tokenizerFiles: Record<string, unknown>;
  format: 'huggingface' | 'llama2.c';
}

export function readPretrained(dir: string, trainable = true): PretrainedModel {
  if (!existsSync(dir)) throw new Error(`model folder ${dir} does not exist`);
  const llama2c = llama2cFiles(dir);
  if (llama2c) {
    const { config, tensors } = readLlama2cCheckpoint(llama2c.checkpoint);
    const tokenizer = readLlama2cTokenizer(llama2c.tokenizer, config.vocabSize);
    return {
      model: causalLMFromHfTensors(config, tensors, llama2c.checkpoint, trainable),
      tokenizerFiles: tokenizer.files,
      format: 'llama2.c',
    };
  }
  if (!existsSync(join(dir, 'config.json')))
    throw new Error(`${dir}: neither a Hugging Face folder (no config.json) nor a llama2.c folder (no .bin files)`);
  if (existsSync(join(dir, CHECKSUMS_FILE))) {
    const problems = checksumProblems(dir);
    if (problems.length) throw new Error(`${dir} is damaged: ${problems.join('; ')}`);
  }
  if (!existsSync(join(dir, 'tokenizer.json')))
    throw new Error(
      `${dir}: no tokenizer.json; a model folder must bring its tokenizer (Hugging Face's fast-tokenizer file)`,
    );
  const tokenizerFiles: Record<string, unknown> = {
    'tokenizer.json': readJsonFile(join(dir, 'tokenizer.json'), "restore it from the model's source"),
  };
  if (existsSync(join(dir, 'tokenizer_config.json')))
    tokenizerFiles['tokenizer_config.json'] = readJsonFile(
      join(dir, 'tokenizer_config.json'),
      "restore it from the model's source",
    );
  return { model: readHfModel(dir, trainable), tokenizerFiles, format: 'huggingface' };
}
