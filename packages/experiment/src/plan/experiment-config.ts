// An experiment config (experiments/<name>/config.json): every stage's settings in one validated file.
// Each section's defaults are declared by the package that owns it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { SlurmConfigSchema } from '@spo/slurm';
import { parseJsonText, sha256File } from '@spo/engine';
import { ModelSectionSchema, ModelShapeSchema, isPretrained, readPretrainedConfig } from '@spo/model';
import { DataConfigSchema, syntheticTask } from '@spo/data';
import {
  TrainConfigSchema,
  SftConfigSchema,
  RewardModelConfigSchema,
  resolveMethod,
  MethodConfigError,
  type MethodConfig,
} from '@spo/trainer';
import { EvalConfigSchema } from '@spo/evaluators';
import { PREFERENCE_LOSSES, type PreferenceLossName } from '@spo/losses';
import { GridSchema, gridPoints, pointLabel, setAtPath, type Grid, type GridPoint } from './grid.js';
import { applyOverrides, type Override } from './overrides.js';
import { CompareSpecSchema } from './compare-spec.js';
import { TunedEntrySchema, tunedMethod, tunedProblems } from './tuned.js';

/** A method as a config lists it: the trainer's method settings plus an optional grid of them to sweep. */
const ExperimentMethodSchema = z.object({ grid: GridSchema.optional() }).passthrough();

export const ExperimentConfigSchema = z
  .object({
    /** Set from the experiment's folder when loaded from a file (the folder names the experiment). */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
    description: z.string().default(''),
    /** The seed of the data, the SFT model and the reward model (and of every run when "seeds" is left out). */
    seed: z.number().int().nonnegative().default(1),
    /**
     * One run per seed of every method; a seed sets the run's preference-batch order, SPO's variant draws, the degree
     * head's initialisation and the eval sampling.
     */
    seeds: z.array(z.number().int().nonnegative()).min(1).optional(),
    /**
     * "everything" (the default): each seed builds its own data, SFT model and reward model, so intervals
     * over seeds cover the model drawn; "training": all seeds share them (built with "seed"), as in the
     * paper, and the intervals cover batch order and sampling only (docs/architecture.md says why).
     */
    seedScope: z.enum(['training', 'everything']).default('everything'),
    /**
     * Sweeps over data settings ("data.labelTemperature", "data.preferencePairs", "data.task"): each point is its own
     * data, SFT model and reward model.
     */
    grid: GridSchema.optional(),
    data: DataConfigSchema,
    /**
     * A shape to train from scratch, or {"from": <folder>} to start from a pretrained model (and
     * "lora" to train adapters only).
     */
    model: ModelSectionSchema.default(ModelShapeSchema.parse({})),
    /**
     * From scratch: SFT on the demonstrations. From a pretrained model: optional (0 steps, the default, starts
     * preference training from the model as it is).
     */
    sft: SftConfigSchema.default(SftConfigSchema.parse({ steps: 0 })),
    preference: TrainConfigSchema,
    /** Each may carry a "grid" over its own settings ("spo.lambda", "params.beta", ...): one run per point. */
    methods: z.array(ExperimentMethodSchema).min(1),
    /** Settings a tuning experiment chose, per data point and loss (plan/tuned.ts). */
    tuned: z.array(TunedEntrySchema).default([]),
    /**
     * A reward model trained from the SFT model on the preference pairs (`spo train --stage rm`); the eval scores
     * samples with it.
     */
    rewardModel: RewardModelConfigSchema.optional(),
    eval: EvalConfigSchema.default(EvalConfigSchema.parse({})),
    /**
     * Comparisons the report adds: runs grouped by a setting, each against a baseline method on the
     * same seeds and prompts.
     */
    compare: z.array(CompareSpecSchema).default([]),
    /** What `spo submit --engine slurm` asks the cluster for, per stage (packages/slurm). */
    slurm: SlurmConfigSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.methods.forEach((raw, i) => {
      const given = raw as { name?: string; loss?: string; losses?: { loss?: string }[] };
      const m = { name: given.name, loss: given.loss ?? given.losses?.[0]?.loss };
      if (m.name !== undefined && seen.has(m.name))
        ctx.addIssue({
          code: 'custom',
          path: ['methods', i, 'name'],
          message: `method name "${m.name}" is used twice`,
        });
      if (m.name !== undefined && ['data', 'sft', 'rm', 'eval'].includes(m.name))
        ctx.addIssue({
          code: 'custom',
          path: ['methods', i, 'name'],
          message: `"${m.name}" is a stage name; pick another method name`,
        });
      if (m.name !== undefined) seen.add(m.name);
      if (
        PREFERENCE_LOSSES[m.loss as PreferenceLossName]?.input === 'lists' &&
        c.data.source === 'synthetic' &&
        c.data.preferenceLists === 0
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'preferenceLists'],
          message:
            `method "${m.name}" uses the list loss "${m.loss}": ` +
            `set data.preferenceLists above 0 (and data.listSize)`,
        });
      }
    });
    const rmSource = c.eval.rewardModel ?? (c.rewardModel ? { kind: 'own' } : undefined);
    if (c.eval.rewardModel?.kind === 'own' && !c.rewardModel) {
      ctx.addIssue({
        code: 'custom',
        path: ['eval', 'rewardModel'],
        message:
          'kind "own" scores with the experiment\'s reward model: ' +
          'add a "rewardModel" section (e.g. {"steps": 200}) or point eval.rewardModel at an ONNX folder',
      });
    }
    if (c.eval.baseline === 'chosen' && c.data.source !== 'files') {
      ctx.addIssue({
        code: 'custom',
        path: ['eval', 'baseline'],
        message:
          '"chosen" compares with the dataset\'s chosen responses, ' +
          'which only data files have; use "sft" for synthetic tasks',
      });
    }
    if (c.data.source === 'files' && !rmSource && !c.eval.judge) {
      ctx.addIssue({
        code: 'custom',
        path: ['eval'],
        message:
          'data files have no oracle: add a "rewardModel" section (the experiment trains one), ' +
          'eval.rewardModel (an ONNX folder) or eval.judge, so the eval has something to score with',
      });
    }
    if (c.data.source === 'synthetic') {
      const lists = c.methods.some((m) => {
        const given = m as { loss?: string; losses?: { loss?: string }[] };
        return PREFERENCE_LOSSES[(given.loss ?? given.losses?.[0]?.loss) as PreferenceLossName]?.input === 'lists';
      });
      const fits: [string[], number, number, string][] = [
        [['sft', 'batchSize'], c.sft.batchSize, c.data.sftExamples, 'data.sftExamples'],
        [['preference', 'batchSize'], c.preference.batchSize, c.data.preferencePairs, 'data.preferencePairs'],
        ...(lists
          ? [
              [['preference', 'batchSize'], c.preference.batchSize, c.data.preferenceLists, 'data.preferenceLists'] as [
                string[],
                number,
                number,
                string,
              ],
            ]
          : []),
        ...(c.rewardModel
          ? [
              [
                ['rewardModel', 'batchSize'],
                c.rewardModel.batchSize,
                c.data.preferencePairs,
                'data.preferencePairs',
              ] as [string[], number, number, string],
            ]
          : []),
      ];
      for (const [path, batch, size, field] of fits) {
        if (batch > size)
          ctx.addIssue({
            code: 'custom',
            path,
            message:
              `${path.join('.')} (${batch}) is larger than ${field} (${size}): ` +
              `lower the batch size or raise ${field}`,
          });
      }
    }
    let maxPositions: number | undefined;
    if (isPretrained(c.model)) {
      const from = c.model.from;
      try {
        maxPositions = readPretrainedConfig(from).maxPositions;
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['model', 'from'], message: (error as Error).message });
      }
      if (
        c.data.source === 'files' &&
        (c.data.tokenizer.kind !== 'pretrained' || resolve(c.data.tokenizer.path) !== resolve(from))
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'tokenizer'],
          message:
            `a pretrained model brings its tokenizer: ` +
            `set data.tokenizer to {"kind": "pretrained", "path": ${JSON.stringify(from)}}`,
        });
      }
    } else {
      maxPositions = c.model.maxPositions;
      if (c.sft.steps === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['sft', 'steps'],
          message:
            'a model trained from scratch needs SFT: ' +
            'set sft.steps (and sft.batchSize, sft.lr), or start from a pretrained model with model.from',
        });
      if (c.data.source === 'synthetic' && syntheticTask(c.data.task).responses === 'model') {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'task'],
          message:
            `the "${c.data.task}" task's responses are a pretrained model's samples: ` +
            `set model.from to that model's folder`,
        });
      }
    }
    if (
      c.data.source === 'files' &&
      maxPositions !== undefined &&
      c.data.maxPromptTokens + c.data.maxResponseTokens + 2 > maxPositions
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['data', 'maxPromptTokens'],
        message:
          `data.maxPromptTokens + data.maxResponseTokens + 2 ` +
          `(bos, eos) = ${c.data.maxPromptTokens + c.data.maxResponseTokens + 2} must fit the model's context of ` +
          `${maxPositions} positions: lower them${isPretrained(c.model) ? '' : ' or raise model.maxPositions'}`,
      });
    }
    if (c.grid) {
      for (const { values } of gridPoints(c.grid)) {
        for (const key of Object.keys(values)) {
          if (!key.startsWith('data.'))
            ctx.addIssue({
              code: 'custom',
              path: ['grid'],
              message:
                `"${key}": the top-level grid sweeps data settings ("data.<field>"); ` +
                `put method settings in that method's own "grid"`,
            });
        }
      }
    }
  });

/** A point of a method's grid, resolved: the method with that point's settings, validated, defaults filled. */
export type MethodPoint = GridPoint & { method: MethodConfig };

/**
 * A method of an experiment: the trainer's resolved settings, the grid of them it sweeps, and every
 * point of that grid resolved once, here (one point, the method itself, without a grid).
 */
export type ExperimentMethod = MethodConfig & { grid?: Grid; points: MethodPoint[] };

export type ExperimentConfig = Omit<z.infer<typeof ExperimentConfigSchema>, 'methods' | 'seeds'> & {
  methods: ExperimentMethod[];
  seeds: number[];
};

export function parseExperimentConfig(raw: unknown, source: string): ExperimentConfig {
  const parsed = ExperimentConfigSchema.safeParse(raw);
  if (!parsed.success) throw invalid(source, parsed.error.issues);
  const config = parsed.data;
  const methods = config.methods.map((m, i) => {
    const { grid, ...method } = m as { grid?: Grid } & Record<string, unknown>;
    const resolved = methodOrInvalid(source, method, `methods.${i}`);
    // every point of the method's grid must make a valid method too
    const points = gridPoints(grid).map((point) => {
      if (!grid) return { ...point, method: resolved };
      let variant: unknown = method;
      for (const [path, value] of Object.entries(point.values)) variant = setAtPath(variant, path, value);
      const at = Object.entries(point.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return {
        ...point,
        method: methodOrInvalid(`${source} (methods.${i} at grid point ${at})`, variant, `methods.${i}`),
      };
    });
    return { ...resolved, ...(grid ? { grid } : {}), points };
  });
  const dataPoints = gridPoints(config.grid).map((point) => {
    let data: unknown = (raw as { data?: unknown }).data;
    for (const [path, value] of Object.entries(point.values)) data = setAtPath(data, path.slice('data.'.length), value);
    const checked = DataConfigSchema.safeParse(data);
    if (!checked.success)
      throw invalid(
        `${source} (grid point ${Object.entries(point.values)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`,
        checked.error.issues.map((i) => ({ ...i, path: ['data', ...i.path] })),
      );
    return { label: pointLabel(point.values) || 'default', data: checked.data };
  });
  const problems = tunedProblems(
    config.tuned,
    new Set(methods.flatMap((m) => (m.loss === undefined ? [] : [m.loss]))),
    dataPoints,
  );
  if (problems.length) throw invalid(source, problems);
  // every method point must stay valid with the tuned settings of every data point
  for (const point of dataPoints)
    methods.forEach((m, i) => {
      for (const { method } of m.points) {
        try {
          tunedMethod(config.tuned, method, point.data, `methods.${i}`);
        } catch (error) {
          if (!(error instanceof MethodConfigError)) throw error;
          invalidLines(`${source} (tuned settings at ${point.label})`, error.issues);
        }
      }
    });
  return { ...config, methods, seeds: config.seeds ?? [config.seed] };
}

/** The config as its file and overrides say it, without its name and what was derived from it (for its hash). */
export function configAsWritten(config: ExperimentConfig): unknown {
  const { name: _name, methods, ...rest } = config;
  return { ...rest, methods: methods.map(({ points: _points, ...method }) => method) };
}

/** resolveMethod, with its problems listed like every other config error. */
function methodOrInvalid(source: string, method: unknown, where: string): MethodConfig {
  try {
    return resolveMethod(method, where);
  } catch (error) {
    if (!(error instanceof MethodConfigError)) throw error;
    return invalidLines(source, error.issues);
  }
}

function invalidLines(source: string, lines: readonly string[]): never {
  throw new Error(`${source} is not a valid experiment config:\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

function invalid(source: string, issues: readonly { path: PropertyKey[]; message: string }[]): Error {
  const lines = issues.map((i) => `  ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
  return new Error(`${source} is not a valid experiment config:\n${lines.join('\n')}`);
}

/**
 * An experiment config from its file: named after its folder (experiments/<name>/config.json), with
 * `--set` overrides applied before it is checked.
 */
export function loadExperimentConfig(path: string, overrides: readonly Override[] = []): ExperimentConfig {
  if (!existsSync(path)) {
    throw new Error(
      `${path} does not exist; an experiment is a folder experiments/<name>/ holding config.json ` +
        '(copy one of experiments/*/ to start a new one)',
    );
  }
  const raw = parseJsonText(readFileSync(path, 'utf8'), path);
  const folder = basename(dirname(resolve(path)));
  const named = (raw as { name?: unknown }).name;
  if (named !== undefined && named !== folder) {
    throw new Error(
      `${path}: "name" is "${named}" but the folder is "${folder}"; ` +
        `remove "name" (an experiment is named by its folder, so a copied folder is a new experiment)`,
    );
  }
  // an override's mistake is named as the override's, not the file's
  const source = overrides.length
    ? `${path} with ${overrides.map((o) => `--set ${o.path}=${JSON.stringify(o.value)}`).join(' ')}`
    : path;
  return parseExperimentConfig(applyOverrides({ ...(raw as object), name: folder }, overrides), source);
}

/**
 * A training section without the settings that change how a run goes but not its numbers: how a step
 * is computed (gradientCheckpointing) and how often and how many checkpoints are kept. Changing them
 * never retrains a finished stage.
 */
export function numericsOf<
  T extends { gradientCheckpointing: boolean; checkpointEvery: number; keepCheckpoints: number },
>(section: T): Omit<T, 'gradientCheckpointing' | 'checkpointEvery' | 'keepCheckpoints'> {
  const { gradientCheckpointing: _g, checkpointEvery: _c, keepCheckpoints: _k, ...rest } = section;
  return rest;
}

/** The eval section without the judge's transport settings (concurrency, timeouts, retries, budget, cache folder). */
export function evalNumericsOf(e: ExperimentConfig['eval']): unknown {
  if (!e.judge) return e;
  const {
    concurrency: _c,
    timeoutMs: _t,
    maxRetries: _r,
    backoffMs: _b,
    maxBackoffMs: _m,
    budget: _u,
    cacheDir: _d,
    ...judge
  } = e.judge;
  return { ...e, judge };
}

/**
 * The sha256 of each source file: changed content re-runs the data stage (whose cache is keyed the same way);
 * a copied, re-mounted or touched file with the same bytes does not.
 */
export function sourceFingerprints(data: ExperimentConfig['data']): { path: string; sha256: string }[] {
  if (data.source !== 'files') return [];
  return data.files.map((f) => {
    const path = typeof f === 'string' ? f : f.path;
    return { path, sha256: existsSync(path) ? fileSha256(path) : 'absent' };
  });
}

const digests = new Map<string, string>();

/** Memoised by path, size and mtime within one process: stage hashes are asked for often. */
function fileSha256(path: string): string {
  const { size, mtimeMs } = statSync(path);
  const key = `${path}\0${size}\0${mtimeMs}`;
  let digest = digests.get(key);
  if (digest === undefined) digests.set(key, (digest = sha256File(path)));
  return digest;
}
