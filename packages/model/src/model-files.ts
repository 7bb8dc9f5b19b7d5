// The files of a model folder, as Hugging Face lays them out: model.safetensors, config.json and the
// tokenizer's files. Checkpoints, reward models and exports all write through here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors } from '@spo/engine';
import type { TensorMap } from '@spo/engine';

export function writeModelFiles(
  dir: string,
  tensors: TensorMap,
  config: Record<string, unknown>,
  tokenizer: Record<string, unknown>,
): void {
  if (!('tokenizer.json' in tokenizer)) throw new Error("a model folder needs the tokenizer's tokenizer.json");
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  for (const [name, json] of Object.entries(tokenizer)) writeFileSync(join(dir, name), JSON.stringify(json));
}
