// The one place that maps a config to its architecture's class.
import type { TensorMap } from '@spo/engine';
import { isLlama, type ModelConfig } from './config.js';
import type { CausalLM } from './causal-lm.js';
import { Gpt2LM } from './gpt2.js';
import { LlamaLM } from './llama.js';

/** A freshly initialised model of the config's architecture (GPT-2 when it names none), seeded. */
export function initCausalLM(config: ModelConfig, seed: number | string): CausalLM {
  return isLlama(config) ? LlamaLM.init(config, seed) : Gpt2LM.init({ ...config }, seed);
}

/** A model from tensors in Hugging Face's layout (model.safetensors), every name and shape checked. */
export function causalLMFromHfTensors(
  config: ModelConfig,
  tensors: TensorMap,
  source: string,
  trainable = true,
): CausalLM {
  return isLlama(config)
    ? LlamaLM.fromHfTensors(config, tensors, source, trainable)
    : Gpt2LM.fromHfTensors(config, tensors, source, trainable);
}
