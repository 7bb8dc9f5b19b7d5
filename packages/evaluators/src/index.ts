export { bootstrapMean } from './bootstrap.js';
export type { Interval } from './bootstrap.js';
export { winRate } from './win-rate.js';
export type { WinRate } from './win-rate.js';
export { sampleResponses } from './sample-responses.js';
export type { SamplingConfig } from './sample-responses.js';
export { EvalConfigSchema } from './config.js';
export type { EvalConfig } from './config.js';
