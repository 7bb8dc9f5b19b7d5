export type { PairLogProbs, PairLossOutput } from './types.js';
export { dpoLoss, DpoParamsSchema } from './dpo.js';
export type { DpoParams } from './dpo.js';
export { degreeLoss, SpoParamsSchema } from './degree-loss.js';
export type { DegreeLossOutput, SpoParams } from './degree-loss.js';
export { PREFERENCE_LOSSES, PREFERENCE_LOSS_NAMES, preferenceLoss, parseLossParams } from './registry.js';
export type { PreferenceLossSpec, PreferenceLossName } from './registry.js';
