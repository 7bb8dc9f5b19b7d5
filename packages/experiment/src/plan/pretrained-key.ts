// What a variant's data depends on besides its config when it starts from a pretrained model, for the
// data stage's hash and the prepared-data key: the model's files (its tokenizer) and, when the model
// writes the responses (the stories task), the numerics path it samples on.
import { syntheticTask, type DataConfig } from '@spo/data';
import { isPretrained, pretrainedDigest, type ModelSection } from '@spo/model';

/** True when the data's responses are the pretrained model's own samples. */
export function sampledByModel(data: DataConfig): boolean {
  return data.source === 'synthetic' && syntheticTask(data.task).responses === 'model';
}

export function pretrainedDataKey(model: ModelSection, data: DataConfig, numerics: string): unknown {
  if (!isPretrained(model)) return undefined;
  return { files: pretrainedDigest(model.from), ...(sampledByModel(data) ? { numerics } : {}) };
}
