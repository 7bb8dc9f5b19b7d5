// Preference losses by name, each with its paper, its hyperparameter schema (whose defaults are the
// method's own) and what it needs from the trainer.
import { type z } from 'zod';
import { DpoParamsSchema, dpoLoss } from './dpo.js';
import { CdpoParamsSchema, cdpoLoss, RobustDpoParamsSchema, robustDpoLoss } from './noisy-label-dpo.js';
import { IpoParamsSchema, ipoLoss } from './ipo.js';
import { HingeParamsSchema, hingeLoss } from './hinge.js';
import { RdpoParamsSchema, rdpoLoss } from './rdpo.js';
import { SimpoParamsSchema, simpoLoss } from './simpo.js';
import { OrpoParamsSchema, orpoLoss } from './orpo.js';
import { CpoParamsSchema, cpoLoss } from './cpo.js';
import { KtoParamsSchema, ktoLoss } from './kto.js';
import { NcaParamsSchema, ncaLoss } from './nca.js';
import { BcoParamsSchema, bcoLoss } from './bco.js';
import { ExoParamsSchema, exoLoss } from './exo.js';
import { SppoParamsSchema, sppoHardLoss } from './sppo.js';
import { ApoParamsSchema, apoDownLoss, apoZeroLoss } from './apo.js';
import { DiscopopParamsSchema, discopopLoss } from './discopop.js';
import { AotParamsSchema, aotLoss, aotUnpairedLoss } from './aot.js';
import { SigmoidNormParamsSchema, sigmoidNormLoss } from './sigmoid-norm.js';
import {
  SoftPreferenceParamsSchema,
  softBestOfNLoss,
  softPlackettLuceLoss,
  softPreferenceLoss,
} from './soft-preference.js';
import type { ListLogProbs, ListLossOutput, PairLogProbs, PairLossOutput } from './types.js';

interface LossSpecBase<P> {
  /** Paper and equation, shown by `spo losses` and in the README table. */
  paper: string;
  params: z.ZodType<P>;
  /** False for reference-free losses: the trainer then skips the reference pass. */
  usesReference: boolean;
}

export interface PairLossSpec<P = any> extends LossSpecBase<P> {
  input: 'pairs';
  /** KTO: the trainer adds mismatched (prompt, other response) rows for the KL reference point. */
  needsMismatched?: boolean;
  fn: (lp: PairLogProbs, params: P) => PairLossOutput;
}

export interface ListLossSpec<P = any> extends LossSpecBase<P> {
  /** Ranked lists of n responses, best first. */
  input: 'lists';
  fn: (lp: ListLogProbs, params: P) => ListLossOutput;
}

export type PreferenceLossSpec<P = any> = PairLossSpec<P> | ListLossSpec<P>;

const pairs = <P>(
  paper: string,
  params: z.ZodType<P>,
  fn: PairLossSpec<P>['fn'],
  usesReference = true,
): PairLossSpec<P> => ({ input: 'pairs', paper, params, fn, usesReference });

export const PREFERENCE_LOSSES = {
  dpo: pairs('Rafailov et al. 2023, DPO, Eq. 7', DpoParamsSchema, dpoLoss),
  cdpo: pairs('Mitchell 2023, cDPO (conservative DPO), Eq. 3', CdpoParamsSchema, cdpoLoss),
  robust: pairs('Chowdhury et al. 2024, Provably Robust DPO, Eq. 8', RobustDpoParamsSchema, robustDpoLoss),
  ipo: pairs('Azar et al. 2023, IPO, Eq. 17', IpoParamsSchema, ipoLoss),
  hinge: pairs('Zhao et al. 2023, SLiC-HF, Eq. 1', HingeParamsSchema, hingeLoss),
  rdpo: pairs('Park et al. 2024, R-DPO, Eq. 9', RdpoParamsSchema, rdpoLoss),
  simpo: pairs('Meng et al. 2024, SimPO, Eq. 6', SimpoParamsSchema, simpoLoss, false),
  orpo: pairs('Hong et al. 2024, ORPO, Eqs. 6-7', OrpoParamsSchema, orpoLoss, false),
  cpo: pairs('Xu et al. 2024, CPO, Eq. 6', CpoParamsSchema, cpoLoss, false),
  kto: { ...pairs('Ethayarajh et al. 2024, KTO, Eq. 8', KtoParamsSchema, ktoLoss), needsMismatched: true },
  nca: pairs('Chen et al. 2024, NCA, Eq. 13 (pairwise)', NcaParamsSchema, ncaLoss),
  bco: pairs('Jung et al. 2024, BCO, Eq. 7 (pairwise)', BcoParamsSchema, bcoLoss),
  exo: pairs('Ji et al. 2024, EXO, Eq. 12 (pairwise)', ExoParamsSchema, exoLoss),
  'sppo-hard': pairs('Wu et al. 2024, SPPO, Eq. 4.1 (hard labels)', SppoParamsSchema, sppoHardLoss),
  'apo-zero': pairs("D'Oosterlinck et al. 2024, APO-zero, Eq. 5", ApoParamsSchema, apoZeroLoss),
  'apo-down': pairs("D'Oosterlinck et al. 2024, APO-down, Eq. 6", ApoParamsSchema, apoDownLoss),
  discopop: pairs('Lu et al. 2024, DiscoPOP (LRML), Eq. 5', DiscopopParamsSchema, discopopLoss),
  'sigmoid-norm': pairs(
    'Rafailov et al. 2023, DPO, Eq. 7 on per-token log-ratios',
    SigmoidNormParamsSchema,
    sigmoidNormLoss,
  ),
  aot: pairs('Melnyk et al. 2024, AOT (paired), Section 3', AotParamsSchema, aotLoss),
  'aot-unpaired': pairs('Melnyk et al. 2024, AOT (unpaired), Section 3', AotParamsSchema, aotUnpairedLoss),
  soft: pairs(
    'Sharifnassab et al. 2024, Soft Preference Optimization, pairwise',
    SoftPreferenceParamsSchema,
    softPreferenceLoss,
    false,
  ),
  'soft-bon': {
    input: 'lists',
    paper: 'Sharifnassab et al. 2024, Soft Preference Optimization, best-of-n',
    params: SoftPreferenceParamsSchema,
    fn: softBestOfNLoss,
    usesReference: false,
  },
  'soft-pl': {
    input: 'lists',
    paper: 'Sharifnassab et al. 2024, Soft Preference Optimization, ranked lists (Plackett-Luce)',
    params: SoftPreferenceParamsSchema,
    fn: softPlackettLuceLoss,
    usesReference: false,
  },
} satisfies Record<string, PreferenceLossSpec>;

export type PreferenceLossName = keyof typeof PREFERENCE_LOSSES;
export const PREFERENCE_LOSS_NAMES = Object.keys(PREFERENCE_LOSSES) as PreferenceLossName[];

export function preferenceLoss(name: string): PreferenceLossSpec {
  const spec = (PREFERENCE_LOSSES as Record<string, PreferenceLossSpec>)[name];
  if (!spec) throw new Error(`unknown loss "${name}"; known losses: ${PREFERENCE_LOSS_NAMES.join(', ')}`);
  return spec;
}

/** Validate a loss's hyperparameters, filling its defaults; errors name the field to change. */
export function parseLossParams(name: string, params: unknown, where = 'params'): Record<string, unknown> {
  const parsed = preferenceLoss(name).params.safeParse(params ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`);
    throw new Error(`${issues.join('; ')} (the parameters of loss "${name}"; \`spo losses\` lists them)`);
  }
  return parsed.data as Record<string, unknown>;
}
