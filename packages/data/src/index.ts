export type { SftExample, PreferencePair, PreferenceList, EvalPrompt } from './records.js';
export { pairAsList } from './records.js';
export { WordTokenizer, SPECIAL_TOKENS } from './word-tokenizer.js';
export { loadTokenizer, tokenizerFromFiles } from './tokenizer.js';
export type { TextTokenizer } from './tokenizer.js';
export { HfTokenizer } from './hf-tokenizer.js';
export { transformersModule } from './transformers-module.js';
export type { ChatMessage } from './hf-tokenizer.js';
export { trainTokenizer } from './train-tokenizer.js';
export type { TokenizerTrainingOptions } from './train-tokenizer.js';
export { truncatePrompt } from './truncation.js';
export { lengthStats } from './length-stats.js';
export type { LengthStats } from './length-stats.js';
export { loadSourceFiles, FILE_LOADER_VERSION } from './sources/load-source-files.js';
export type { LoadSourceOptions, LoadSummary } from './sources/load-source-files.js';
export { SOURCE_FORMATS, SOURCE_FORMAT_NAMES } from './sources/source-formats.js';
export type { SourceFormatName } from './sources/source-formats.js';
export type { SourceRow, FieldNames } from './sources/source-row.js';
export { BAD_ROW_REASONS, BadRowError } from './sources/bad-rows.js';
export type { BadRowReason, BadRowReport, OnBadRow } from './sources/bad-rows.js';
export { hhPrompt } from './sources/prompt-format.js';
export { seededSplit } from './sources/splits.js';
export type { PrepareReport } from './sources/prepare-files.js';
export type { SyntheticTask, CrowdTask, ModelSampledTask, ResponseSampler, TaskPrompt } from './synthetic/task.js';
export { summarizationTask } from './synthetic/summarization.js';
export type { SummarizationContext } from './synthetic/summarization.js';
export { dialogueTask } from './synthetic/dialogue.js';
export type { DialogueContext } from './synthetic/dialogue.js';
export { storiesTask } from './synthetic/stories.js';
export type { StoryContext } from './synthetic/stories.js';
export { buildSampledDataset } from './synthetic/sampled-dataset.js';
export { SYNTHETIC_TASKS, syntheticTask } from './synthetic/tasks.js';
export { buildSyntheticDataset } from './synthetic/build-dataset.js';
export type { SyntheticSizes, SyntheticDataset } from './synthetic/build-dataset.js';
export { encodeSequence, encodePrompt, padBatch } from './sequences.js';
export type { TokenizedSequence, PaddedBatch } from './sequences.js';
export {
  DataSamplingSchema,
  SyntheticDataConfigSchema,
  FileDataConfigSchema,
  DataConfigSchema,
  TokenizerSourceSchema,
} from './config.js';
export type { DataSampling, SyntheticDataConfig, FileDataConfig, DataConfig, TokenizerSource } from './config.js';
export { prepareSynthetic, prepareDataset, writePreparedDataset, readPreparedDataset } from './prepared-dataset.js';
export type { PreparedDataset, DatasetManifest, PretrainedSource } from './prepared-dataset.js';
export { PUBLIC_ARTIFACTS, publicArtifact, artifactFolder, fetchHint } from './fetch/public-artifacts.js';
export type { PublicArtifact, PublicFile } from './fetch/public-artifacts.js';
export { fetchArtifact, mirrorFolder } from './fetch/fetch-artifact.js';
export type { FetchOptions, FetchResult } from './fetch/fetch-artifact.js';
export { fetchForTest, testMirror } from './fetch/test-mirror.js';
export { readLlama2cTokenizer, llama2cFiles } from './llama2c-tokenizer.js';
export type { Llama2cTokenizer } from './llama2c-tokenizer.js';
