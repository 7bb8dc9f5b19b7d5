// The experiment pipeline, layered one way: plan/ (the config, its grids and overrides, the plan of
// variants and runs with their folders and hashes) -> stages/ (data, sft, rm, train, eval, each under
// its lock) -> results/ (what the report reads back from each run, through typed readers); submit/
// queues the plan's stages on a Slurm cluster instead of running them here.
export {
  configAsWritten,
  ExperimentConfigSchema,
  parseExperimentConfig,
  loadExperimentConfig,
  numericsOf,
  evalNumericsOf,
  sourceFingerprints,
} from './plan/experiment-config.js';
export type { ExperimentConfig, ExperimentMethod, MethodPoint } from './plan/experiment-config.js';
export { GridSchema, gridPoints, setAtPath, getAtPath, pointLabel } from './plan/grid.js';
export type { Grid, GridPoint } from './plan/grid.js';
export { parseOverride, applyOverrides } from './plan/overrides.js';
export type { Override } from './plan/overrides.js';
export { CompareSpecSchema } from './plan/compare-spec.js';
export type { CompareSpec } from './plan/compare-spec.js';
export { planExperiment, ownVariants, ownRuns, findRun, findVariant } from './plan/plan.js';
export type { ExperimentPlan, RunPlan, Variant, SettingValue } from './plan/plan.js';
export { numericsPath } from './stages/context.js';
export type { StageContext } from './stages/context.js';
export { runStage, supersededDir } from './stages/stage-dir.js';
export type { StageRun } from './stages/stage-dir.js';
export { isStageDone } from './results/stage-record.js';
export type { StageDir } from './results/stage-record.js';
export { acquireStageLock, StageLockedError } from './stages/stage-lock.js';
export { dataStage, preparedCacheDir } from './stages/data-stage.js';
export { sftStage } from './stages/sft-stage.js';
export { rewardModelStage } from './stages/rm-stage.js';
export { trainStage } from './stages/train-stage.js';
export { evalRunStage } from './stages/eval-stage.js';
export { runStages } from './stages/run-stages.js';
export { stageTasks, runStageTask } from './stages/stage-tasks.js';
export type { StageTask } from './stages/stage-tasks.js';
export { prepare } from './stages/prepare.js';
export { describeDataset } from './stages/describe-dataset.js';
export { collectResults } from './results/collect.js';
export type { RunResult } from './results/collect.js';
export { readRunEval, writeRunEval, runEvalDir, readableJudgeOutcomes, SCORE_EVALUATORS } from './results/run-eval.js';
export type { RunEval, ScoreEvaluator } from './results/run-eval.js';
export { sourceCommit, versionLine } from './version.js';
export { slurmJobs } from './submit/slurm-jobs.js';
export type { PlannedJob } from './submit/slurm-jobs.js';
export { submitToSlurm } from './submit/submit.js';
export type { SubmitOptions } from './submit/submit.js';
export { slurmStatus, cancelSlurmJobs, waitForSlurm } from './submit/slurm-status.js';
export type { StageState, StageStatus } from './submit/slurm-status.js';
export { readSlurmJobs, slurmJobsPath } from './results/slurm-jobs-record.js';
export type { SlurmJobsRecord, SubmittedJob } from './results/slurm-jobs-record.js';
