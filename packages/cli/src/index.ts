export { parseExperimentConfig, loadExperimentConfig, ExperimentConfigSchema } from './experiment-config.js';
export type { ExperimentConfig, ExperimentMethod } from './experiment-config.js';
export { planExperiment } from './experiment/plan.js';
export type { ExperimentPlan, RunPlan, Variant } from './experiment/plan.js';
