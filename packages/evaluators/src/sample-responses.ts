// Sample one response per evaluation prompt from a policy, decoded to text.
import { generate, type CausalLM } from '@spo/model';
import { encodePrompt, type TextTokenizer } from '@spo/data';

export interface SamplingConfig {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  batchSize: number;
}

export function sampleResponses(
  model: CausalLM,
  tokenizer: TextTokenizer,
  prompts: readonly string[],
  s: SamplingConfig,
  seed: number | string,
): string[] {
  const ids = prompts.map((p) => encodePrompt(tokenizer, p));
  const out = generate(model, ids, { ...s, padToken: tokenizer.padId, stopToken: tokenizer.eosId, seed });
  return out.map((tokens) => tokenizer.decode(tokens));
}
