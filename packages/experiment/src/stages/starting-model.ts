// Where a variant's models start: a fresh GPT-2-style model of the config's shape (then SFT), or the
// pretrained folder of model.from, whose tokenizer the data uses and which, for model-sampled tasks
// (stories), writes the data's responses.
import {
  DataSamplingSchema,
  tokenizerFromFiles,
  type DataConfig,
  type PretrainedSource,
  type TextTokenizer,
} from '@spo/data';
import {
  describeConfig,
  generate,
  initCausalLM,
  isPretrained,
  readPretrained,
  readPretrainedConfig,
  type CausalLM,
  type ModelSection,
} from '@spo/model';
import { pretrainedDataKey, sampledByModel } from '../plan/pretrained-key.js';

/** The model's context length: the shape's maxPositions or the pretrained model's. */
export function contextLength(model: ModelSection): number {
  return isPretrained(model) ? readPretrainedConfig(model.from).maxPositions : model.maxPositions;
}

/** The pretrained model the data stage prepares for, with a batched sampler when it writes the responses. */
export function pretrainedSource(
  model: ModelSection,
  data: DataConfig,
  numerics: string,
  log: (line: string) => void,
): PretrainedSource | undefined {
  if (!isPretrained(model)) return undefined;
  const source: PretrainedSource = { dir: model.from, key: pretrainedDataKey(model, data, numerics) };
  if (data.source !== 'synthetic' || !sampledByModel(data)) return source;
  const sampling = data.sampling ?? DataSamplingSchema.parse({});
  let loaded: { lm: CausalLM; tokenizer: TextTokenizer } | undefined;
  let drawn = 0;
  const started = performance.now();
  source.sample = (prompts, purpose) => {
    if (!loaded) {
      const { model: lm, tokenizerFiles } = readPretrained(model.from, false);
      loaded = { lm, tokenizer: tokenizerFromFiles(tokenizerFiles, model.from) };
      log(
        `[data] responses are samples of ${model.from} (${describeConfig(lm.config)}): ` +
          `temperature ${sampling.temperature}, top-p ${sampling.topP}, up to ${sampling.maxNewTokens} tokens`,
      );
    }
    const { lm, tokenizer } = loaded;
    const ids = generate(
      lm,
      prompts.map((p) => [tokenizer.bosId, ...tokenizer.encode(p)]),
      {
        maxNewTokens: sampling.maxNewTokens,
        temperature: sampling.temperature,
        topP: sampling.topP,
        stopToken: tokenizer.eosId,
        padToken: tokenizer.padId,
        seed: `${data.task}/${purpose}`,
        batchSize: sampling.batchSize,
      },
    );
    drawn += prompts.length;
    const seconds = (performance.now() - started) / 1000;
    log(`[data] ${purpose}: ${prompts.length} samples (${drawn} so far, ${(drawn / seconds).toFixed(0)} samples/s)`);
    return ids.map((row) => tokenizer.decode(row));
  };
  return source;
}

/** The model a variant's SFT stage starts from: fresh of the config's shape, or the pretrained folder's. */
export function startingModel(model: ModelSection, vocabSize: number, seed: number): CausalLM {
  if (!isPretrained(model)) return initCausalLM({ ...model, vocabSize }, seed);
  const lm = readPretrained(model.from).model;
  if (lm.config.vocabSize < vocabSize) {
    lm.dispose();
    throw new Error(
      `model.from ${model.from} has ${lm.config.vocabSize} token ` +
        `embeddings but its data's tokenizer has ${vocabSize} tokens`,
    );
  }
  return lm;
}
