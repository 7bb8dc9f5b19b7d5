// train-summary.json, the record a finished training stage leaves in its folder: steps, where it
// resumed from, speed, and the last step's metrics. Written by the training loop when the last step is
// done, read back by the experiment's results (the report's steps and tokens/s): one type, both sides.
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from '@spo/engine';
import type { MetricsRow } from './metrics-log.js';

export const TRAIN_SUMMARY_FILE = 'train-summary.json';

export interface TrainSummary {
  stage: string;
  steps: number;
  resumedFrom: number;
  /** Real (non-padding) tokens per second over the steps this process ran. */
  tokensPerSecond: number;
  secondsPerStep: number;
  final: MetricsRow;
}

export function writeTrainSummary(dir: string, summary: TrainSummary): void {
  writeJsonAtomic(join(dir, TRAIN_SUMMARY_FILE), summary);
}

/** The summary a finished stage left in `dir`; an error naming the file and `advice` if it is damaged. */
export function readTrainSummary(dir: string, advice: string): TrainSummary {
  return readJsonFile<TrainSummary>(join(dir, TRAIN_SUMMARY_FILE), advice);
}
