// The optimisation loop every stage shares: micro-batches with gradient accumulation, global-norm
// clipping, AdamW with warmup + cosine, a guard that stops on NaN/Inf before the update lands,
// checkpoints every N steps that a killed run resumes from, per-step metrics, and progress.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  tf,
  checksumProblems,
  encodeSafetensors,
  isOutOfMemory,
  readJsonFile,
  readSafetensors,
  wasmHeapBytes,
  writeChecksums,
  writeDirAtomic,
  WASM_HEAP_LIMIT_BYTES,
  type TensorMap,
} from '@spo/engine';
import { AdamW } from './adamw.js';
import { BatchOrder } from './batch-order.js';
import type { TrainConfig } from './config.js';
import { learningRate } from './lr-schedule.js';
import { MetricsLog, type MetricsRow } from './metrics-log.js';
import { progressBar } from './progress.js';
import { writeTrainSummary, type TrainSummary } from './train-summary.js';
import { stepGradients, type LossFn, type StepGradients } from './train-step.js';

export type { StepLoss } from './train-step.js';

export interface TrainLoopArgs {
  /** Label for progress and errors ("sft", "dpo-spo"). */
  stage: string;
  /** The experiment config's section these settings come from ("sft", "preference", "rewardModel"), for errors. */
  section?: string;
  /** The stage's run folder: checkpoints/, metrics.jsonl and summary.json go here. */
  dir: string;
  config: TrainConfig;
  seed: number;
  datasetSize: number;
  /** Every trainable variable by name (the model's and any head's). */
  variables: Map<string, tf.Variable>;
  /**
   * Variables that are not trained but change as training goes (TR-DPO's synced reference): saved in
   * every checkpoint and restored on resume, so a resumed run continues from exactly where it stopped.
   */
  state?: Map<string, tf.Variable>;
  lossFn: LossFn;
  /** Work before step `step` that must not be on the tape (e.g. sampling from the policy). */
  beforeStep?: (step: number) => void;
  /** Write the model's files (model.safetensors, config.json, tokenizer.json) into a checkpoint folder. */
  writeModel: (dir: string) => void;
  /** Stop after this many steps as if killed (for tests of resume). */
  stopAfter?: number;
  log?: (line: string) => void;
}

export class TrainingDivergedError extends Error {}

/** Warn once when a step has grown the WASM heap past this share of its cap: the next longer batch may abort. */
const WASM_HEAP_WARNING_SHARE = 0.75;

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

function lastGoodCheckpoint(dir: string): string {
  const good = listCheckpoints(dir).at(-1);
  return good ? good.path : 'none yet (it stopped before the first checkpoint)';
}

/** The WASM module's bare "Aborted()" turned into what happened and what to change. */
function outOfMemoryError(args: TrainLoopArgs, step: number, cause: unknown): Error {
  const heap = wasmHeapBytes();
  return new Error(
    `[${args.stage}] step ${step + 1}: the WASM backend ran out of memory ` +
      `(heap ${heap === undefined ? '?' : mib(heap)} MiB; its cap is ${mib(WASM_HEAP_LIMIT_BYTES)} MiB) ` +
      `on a micro-batch of ${args.config.batchSize}. Halve batchSize and double gradAccumulation ` +
      `in this stage's config section (the same examples per update in half the memory), ` +
      `or set gradientCheckpointing: true there (about a third of the memory, slower steps). ` +
      `Last good checkpoint, which the next run resumes from: ${lastGoodCheckpoint(args.dir)}.`,
    { cause },
  );
}

const CHECKPOINT_PREFIX = 'step-';
/** A checkpoint that failed its check is renamed with this prefix: kept for a look, never loaded again. */
const DAMAGED_PREFIX = 'damaged-';

function checkpointName(step: number): string {
  return `${CHECKPOINT_PREFIX}${String(step).padStart(6, '0')}`;
}

/** Completed checkpoints, oldest first. */
export function listCheckpoints(dir: string): { step: number; path: string }[] {
  const root = join(dir, 'checkpoints');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => n.startsWith(CHECKPOINT_PREFIX) && existsSync(join(root, n, 'trainer-state.json')))
    .map((n) => ({ step: Number(n.slice(CHECKPOINT_PREFIX.length)), path: join(root, n) }))
    .sort((a, b) => a.step - b.step);
}

function saveTrainingCheckpoint(args: TrainLoopArgs, optimizer: AdamW, step: number): void {
  const tensors = optimizer.stateTensors();
  for (const [name, v] of args.variables)
    tensors[`param.${name}`] = { dtype: 'float32', shape: v.shape, data: v.dataSync() as Float32Array };
  for (const [name, v] of args.state ?? [])
    tensors[`state.${name}`] = { dtype: 'float32', shape: v.shape, data: v.dataSync() as Float32Array };
  writeDirAtomic(join(args.dir, 'checkpoints', checkpointName(step)), (tmp) => {
    args.writeModel(tmp);
    writeFileSync(join(tmp, 'trainer-state.safetensors'), encodeSafetensors(tensors));
    writeFileSync(join(tmp, 'trainer-state.json'), JSON.stringify({ step, optimizerSteps: optimizer.t }));
    writeChecksums(tmp);
  });
  const all = listCheckpoints(args.dir);
  for (const old of all.slice(0, Math.max(0, all.length - args.config.keepCheckpoints)))
    rmSync(old.path, { recursive: true, force: true });
}

interface TrainerState {
  step: number;
  optimizerSteps: number;
  tensors: TensorMap;
}

/** A checkpoint's state, every file checked (checksums, JSON, tensor names and shapes); throws saying what is wrong. */
function readTrainingCheckpoint(args: TrainLoopArgs, optimizer: AdamW, path: string): TrainerState {
  const problems = checksumProblems(path);
  if (problems.length) throw new Error(problems.join('; '));
  const state = readJsonFile<{ step?: unknown; optimizerSteps?: unknown }>(
    join(path, 'trainer-state.json'),
    'the checkpoint is damaged',
  );
  if (!Number.isInteger(state.step) || !Number.isInteger(state.optimizerSteps))
    throw new Error('trainer-state.json lacks an integer step and optimizerSteps');
  const { tensors } = readSafetensors(join(path, 'trainer-state.safetensors'));
  const expected = new Map(optimizer.stateTensorShapes());
  for (const [name, v] of args.variables) expected.set(`param.${name}`, v.shape);
  for (const [name, v] of args.state ?? []) expected.set(`state.${name}`, v.shape);
  for (const [name, shape] of expected) {
    const saved = tensors[name];
    if (!saved)
      throw new Error(`trainer-state.safetensors lacks ${name}; it was written by a different model or method`);
    if (saved.shape.join(',') !== shape.join(','))
      throw new Error(`trainer-state.safetensors: ${name} has shape [${saved.shape}], the model's is [${shape}]`);
  }
  return { step: state.step as number, optimizerSteps: state.optimizerSteps as number, tensors };
}

/**
 * Load the newest checkpoint that passes its checks into the variables and the optimiser, and return its
 * step (0 when there is none). A damaged one is renamed damaged-step-N, said, and the previous one tried.
 */
function resumeFromCheckpoint(args: TrainLoopArgs, optimizer: AdamW, log: (line: string) => void): number {
  for (const candidate of listCheckpoints(args.dir).reverse()) {
    let state: TrainerState;
    try {
      state = readTrainingCheckpoint(args, optimizer, candidate.path);
    } catch (error) {
      const aside = join(dirname(candidate.path), `${DAMAGED_PREFIX}${basename(candidate.path)}`);
      rmSync(aside, { recursive: true, force: true });
      renameSync(candidate.path, aside);
      log(
        `[${args.stage}] checkpoint ${candidate.path} is damaged (${(error as Error).message}); ` +
          `moved it to ${aside} and trying the one before`,
      );
      continue;
    }
    const restore = (v: tf.Variable, key: string) =>
      v.assign(tf.tensor(state.tensors[key].data, state.tensors[key].shape));
    for (const [name, v] of args.variables) restore(v, `param.${name}`);
    for (const [name, v] of args.state ?? []) restore(v, `state.${name}`);
    optimizer.loadState(state.tensors, state.optimizerSteps, candidate.path);
    log(`[${args.stage}] resuming from ${candidate.path} (step ${state.step} of ${args.config.steps})`);
    return state.step;
  }
  return 0;
}

export function trainLoop(args: TrainLoopArgs): TrainSummary {
  const { config, stage, dir } = args;
  const log = args.log ?? ((line: string) => console.error(line));
  if (args.datasetSize < config.batchSize) {
    throw new Error(
      `[${stage}] ${args.section ?? 'the stage'}.batchSize is ${config.batchSize}, ` +
        `but there are only ${args.datasetSize} examples to train on: lower ` +
        `${args.section ?? 'the stage'}.batchSize to at most ${args.datasetSize} ` +
        `(use gradAccumulation for larger updates)`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const optimizer = new AdamW(args.variables, config);
  const metricsLog = new MetricsLog(join(dir, 'metrics.jsonl'));
  let step = resumeFromCheckpoint(args, optimizer, log);
  const kept = metricsLog.truncateAfter(step);
  const order = new BatchOrder(args.datasetSize, config.batchSize, config.gradAccumulation, args.seed);
  const resumedFrom = step;
  const progress = progressBar(stage, config.steps, step);
  // a run killed after its last checkpoint resumes at the last step: its final metrics are the log's
  let tokens = 0,
    lastRow: MetricsRow = kept.at(-1)?.step === step ? kept.at(-1)! : { step };
  // the heap only grows: what earlier work (a reference pass) took is not this loop's to warn about
  let warnedAboutHeap = false;
  const heapBefore = wasmHeapBytes() ?? 0;
  const started = performance.now();
  try {
    while (step < config.steps) {
      if (args.stopAfter !== undefined && step >= args.stopAfter) break;
      args.beforeStep?.(step);
      const lr = learningRate(step, config);
      const microBatches = Array.from({ length: config.gradAccumulation }, (_, micro) => order.indices(step, micro));
      let result: StepGradients;
      try {
        result = stepGradients(args.lossFn, args.variables, config, step, microBatches);
      } catch (error) {
        throw isOutOfMemory(error) ? outOfMemoryError(args, step, error) : error;
      }
      const { clipped, norm, tokens: stepTokens } = result;
      const loss = result.metrics.loss;
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        tf.dispose([...clipped.values()]);
        throw new TrainingDivergedError(
          `[${stage}] step ${step + 1}: ` +
            `${!Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${norm}`}; ` +
            `stopped before applying the update. ` +
            `Last good checkpoint: ${lastGoodCheckpoint(dir)}. Lower the learning rate or check the data.`,
        );
      }
      optimizer.apply(clipped, lr);
      tf.dispose([...clipped.values()]);
      const heap = wasmHeapBytes();
      if (
        !warnedAboutHeap &&
        heap !== undefined &&
        heap > heapBefore &&
        heap > WASM_HEAP_WARNING_SHARE * WASM_HEAP_LIMIT_BYTES
      ) {
        warnedAboutHeap = true;
        log(
          `[${stage}] warning: step ${step + 1} grew the WASM heap to ${mib(heap)} MiB of its ` +
            `${mib(WASM_HEAP_LIMIT_BYTES)} MiB cap; a batch of longer sequences may abort. ` +
            `Halve batchSize and double gradAccumulation, or set gradientCheckpointing, to be safe.`,
        );
      }
      step++;
      tokens += stepTokens;
      lastRow = { step, ...result.metrics, grad_norm: norm, learning_rate: lr, tokens: stepTokens };
      metricsLog.append(lastRow);
      const seconds = (performance.now() - started) / 1000;
      progress.update(step, { loss, tokensPerSecond: tokens / seconds });
      if (step % config.checkpointEvery === 0 || step === config.steps) saveTrainingCheckpoint(args, optimizer, step);
    }
  } finally {
    progress.stop();
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const ran = step - resumedFrom;
  const summary: TrainSummary = {
    stage,
    steps: step,
    resumedFrom,
    tokensPerSecond: ran > 0 ? tokens / seconds : 0,
    secondsPerStep: ran > 0 ? seconds / ran : 0,
    final: lastRow,
  };
  if (step === config.steps) writeTrainSummary(dir, summary);
  return summary;
}
