export type { PairLogProbs, PairLossOutput, ListLogProbs, ListLossOutput } from './types.js';
export { logRatios, averagePolicyLogProbs } from './log-ratios.js';
export type { LogRatios } from './log-ratios.js';
export { dpoLoss, DpoParamsSchema } from './dpo.js';
export { cdpoLoss, robustDpoLoss } from './noisy-label-dpo.js';
export { ipoLoss } from './ipo.js';
export { hingeLoss } from './hinge.js';
export { rdpoLoss } from './rdpo.js';
export { simpoLoss } from './simpo.js';
export { orpoLoss } from './orpo.js';
export { cpoLoss } from './cpo.js';
export { ktoLoss, ktoReferencePoint } from './kto.js';
export { ncaLoss } from './nca.js';
export { bcoLoss, bcoLossWithShift, BCO_SHIFTS } from './bco.js';
export { exoLoss } from './exo.js';
export { sppoHardLoss } from './sppo.js';
export { apoZeroLoss, apoDownLoss } from './apo.js';
export { discopopLoss } from './discopop.js';
export { aotLoss, aotUnpairedLoss } from './aot.js';
export { sigmoidNormLoss } from './sigmoid-norm.js';
export { lengthDesensitised } from './length-desensitised.js';
export { wpoWeights } from './wpo-weights.js';
export { DIVERGENCES, DEFAULT_DIVERGENCE_ALPHA, divergenceReward } from './divergence.js';
export type { Divergence, DivergenceParams } from './divergence.js';
export {
  softPreferenceLoss,
  softBestOfNLoss,
  softPlackettLuceLoss,
  plackettLuceLogLikelihood,
} from './soft-preference.js';
export { chosenNll, NLL_MEANS } from './sft-term.js';
export type { NllMean } from './sft-term.js';
export { PREFERENCE_LOSSES, PREFERENCE_LOSS_NAMES, preferenceLoss, parseLossParams } from './registry.js';
export type { PreferenceLossSpec, PairLossSpec, ListLossSpec, PreferenceLossName } from './registry.js';
export { rewardModelLoss, RewardModelLossParamsSchema } from './reward-model.js';
export type { RewardModelLossParams } from './reward-model.js';
