export { ModelShapeSchema, Gpt2ConfigSchema, LlamaConfigSchema, isLlama, describeConfig } from './config.js';
export type { ModelConfig, ModelShape, Gpt2Config, LlamaConfig } from './config.js';
export { toHfConfig, fromHfConfig } from './hf-config.js';
export type { CausalLM, KvCache, ForwardOptions, ForwardOutput } from './causal-lm.js';
export { Gpt2LM } from './gpt2.js';
export { LlamaLM } from './llama.js';
export { initCausalLM, causalLMFromHfTensors } from './architectures.js';
export { readHfModel, readHfConfig, readHfTensors, exportHfFolder, writeHfModelFiles } from './hf-folder.js';
export type { SpecialTokenIds } from './hf-folder.js';
export { sequenceLogProbs } from './log-probs.js';
export type { SequenceLogProbs, TokenExtras } from './log-probs.js';
export { responseLogProbs, responseLayout, distinctPrompts } from './response-log-probs.js';
export type { ResponseLogProbs } from './response-log-probs.js';
export { generate, sampleToken } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { saveCheckpoint, loadCheckpoint, verifyCheckpoint, writeCheckpointFiles } from './checkpoint.js';
export type { LoadedCheckpoint } from './checkpoint.js';
export { RewardModel, saveRewardModel, loadRewardModel, writeRewardModelFiles, SCORE_WEIGHT } from './reward-model.js';
export { readPretrained } from './pretrained.js';
export type { PretrainedModel } from './pretrained.js';
export { readLlama2cCheckpoint, readLlama2cHeader } from './llama2c-checkpoint.js';
export {
  ModelSectionSchema,
  PretrainedModelSchema,
  isPretrained,
  readPretrainedConfig,
  pretrainedDigest,
  describePretrained,
} from './model-section.js';
export type { ModelSection, PretrainedModelSection } from './model-section.js';
export { LoraConfigSchema, LoraAdapters } from './lora.js';
export type { LoraConfig } from './lora.js';
