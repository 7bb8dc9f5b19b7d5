export { SlurmConfigSchema, SlurmResourcesSchema, SLURM_STAGES, resourcesFor, resourceArgs } from './slurm-config.js';
export type { SlurmConfig, SlurmResources, SlurmStage } from './slurm-config.js';
export { slurmAvailable, sbatch, showJobs, scancel } from './slurm-commands.js';
export { parseJobStates, FINISHED_STATES } from './job-states.js';
export type { JobState } from './job-states.js';
