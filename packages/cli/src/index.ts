export { ExperimentConfigSchema, parseExperimentConfig, loadExperimentConfig, stageHashes } from './experiment-config.js';
export type { ExperimentConfig } from './experiment-config.js';
