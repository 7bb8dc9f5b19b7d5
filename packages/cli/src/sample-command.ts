// `spo sample` and `spo export` on a model folder (a checkpoint of this project, a Hugging Face folder or
// a llama2.c folder). sample prints one sample token by token as it is generated: the prompt is encoded
// after BOS; generation ends at the tokenizer's end-of-sequence token or after --max-new-tokens. export
// writes the model as a Hugging Face folder (LoRA merged).
import { exportHfFolder, generate, readPretrained } from '@spo/model';
import { tokenizerFromFiles } from '@spo/data';

export interface SampleOptions {
  model: string;
  prompt: string;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

export function checkSampleOptions(o: SampleOptions): void {
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1)
    throw new Error('--max-new-tokens must be a whole number above 0');
  if (!(o.temperature >= 0)) throw new Error('--temperature must be 0 (greedy) or above');
  if (!(o.topP > 0 && o.topP <= 1)) throw new Error('--top-p must be in (0, 1]');
  if (!Number.isSafeInteger(o.seed)) throw new Error('--seed must be an integer');
}

/** Streams the sample to `write` and returns its whole text (the prompt included). */
export function sample(o: SampleOptions, write: (text: string) => void, log: (line: string) => void): string {
  checkSampleOptions(o);
  const { model, tokenizerFiles, format } = readPretrained(o.model, false);
  const tokenizer = tokenizerFromFiles(tokenizerFiles, o.model);
  const prompt = [tokenizer.bosId, ...(o.prompt ? tokenizer.encode(o.prompt) : [])];
  const room = model.config.maxPositions - prompt.length;
  if (room < 1)
    throw new Error(`the prompt's ${prompt.length} tokens fill the model's context of ${model.config.maxPositions}`);
  const maxNewTokens = Math.min(o.maxNewTokens, room);
  if (maxNewTokens < o.maxNewTokens)
    log(
      `[sample] --max-new-tokens ${o.maxNewTokens} cut to ${maxNewTokens}: ` +
        `the context is ${model.config.maxPositions} tokens`,
    );
  log(
    `[sample] ${o.model} (${format}, ${model.parameterCount().toLocaleString('en')} parameters), ` +
      (o.temperature === 0 ? 'greedy' : `temperature ${o.temperature}, top-p ${o.topP}, seed ${o.seed}`),
  );
  // decoding the whole sequence each time and printing what is new keeps multi-byte characters whole
  const ids = prompt.slice(1);
  let printed = '';
  const flush = () => {
    const text = tokenizer.decode(ids);
    if (text.startsWith(printed) && !text.endsWith('\uFFFD')) {
      write(text.slice(printed.length));
      printed = text;
    }
  };
  flush();
  const started = performance.now();
  const [tokens] = generate(model, [prompt], {
    maxNewTokens,
    temperature: o.temperature,
    topP: o.topP,
    stopToken: tokenizer.eosId,
    padToken: tokenizer.padId,
    seed: o.seed,
    batchSize: 1,
    onToken: (_, token) => {
      ids.push(token);
      flush();
    },
  });
  const text = tokenizer.decode(ids);
  if (text.length > printed.length) write(text.slice(printed.length));
  write('\n');
  const seconds = (performance.now() - started) / 1000;
  log(`[sample] ${tokens.length} tokens in ${seconds.toFixed(2)} s (${(tokens.length / seconds).toFixed(0)} tokens/s)`);
  model.dispose();
  return text;
}

export function exportModel(from: string, out: string, log: (line: string) => void): void {
  const { model, tokenizerFiles, format } = readPretrained(from, false);
  const tokenizer = tokenizerFromFiles(tokenizerFiles, from);
  exportHfFolder(out, model, tokenizer.files(), { bos: tokenizer.bosId, eos: tokenizer.eosId, pad: tokenizer.padId });
  log(
    `[export] ${from} (${format}, ${model.parameterCount().toLocaleString('en')} parameters) → ${out} ` +
      `(Hugging Face: config.json, model.safetensors, ${Object.keys(tokenizer.files()).join(', ')}, ` +
      `generation_config.json)`,
  );
  model.dispose();
}
