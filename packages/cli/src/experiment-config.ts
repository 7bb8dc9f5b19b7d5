// An experiment config (experiments/<name>/config.json): every stage's settings in one validated file.
// Each section's defaults are declared by the package that owns it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { configHash } from '@spo/engine';
import { ModelShapeSchema } from '@spo/model';
import { DataConfigSchema } from '@spo/data';
import { TrainConfigSchema, MethodConfigSchema, RewardModelConfigSchema, resolveMethod, type MethodConfig } from '@spo/trainer';
import { EvalConfigSchema } from '@spo/evaluators';
import { PREFERENCE_LOSSES, type PreferenceLossName } from '@spo/losses';

export const ExperimentConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
  description: z.string().default(''),
  seed: z.number().int().nonnegative().default(1),
  data: DataConfigSchema,
  model: ModelShapeSchema.default(ModelShapeSchema.parse({})),
  sft: TrainConfigSchema,
  preference: TrainConfigSchema,
  methods: z.array(MethodConfigSchema).min(1),
  /** A reward model trained from the SFT model on the preference pairs (`spo train --stage rm`); the eval scores samples with it. */
  rewardModel: RewardModelConfigSchema.optional(),
  eval: EvalConfigSchema.default(EvalConfigSchema.parse({})),
}).strict().superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.methods.forEach((m, i) => {
    if (seen.has(m.name)) ctx.addIssue({ code: 'custom', path: ['methods', i, 'name'], message: `method name "${m.name}" is used twice` });
    if (['data', 'sft', 'rm', 'eval'].includes(m.name)) ctx.addIssue({ code: 'custom', path: ['methods', i, 'name'], message: `"${m.name}" is a stage name; pick another method name` });
    seen.add(m.name);
    if (PREFERENCE_LOSSES[m.loss as PreferenceLossName]?.input === 'lists' && c.data.source === 'synthetic' && c.data.preferenceLists === 0) {
      ctx.addIssue({ code: 'custom', path: ['data', 'preferenceLists'], message: `method "${m.name}" uses the list loss "${m.loss}": set data.preferenceLists above 0 (and data.listSize)` });
    }
  });
  const rmSource = c.eval.rewardModel ?? (c.rewardModel ? { kind: 'own' } : undefined);
  if (c.eval.rewardModel?.kind === 'own' && !c.rewardModel) {
    ctx.addIssue({ code: 'custom', path: ['eval', 'rewardModel'], message: 'kind "own" scores with the experiment\'s reward model: add a "rewardModel" section (e.g. {"steps": 200}) or point eval.rewardModel at an ONNX folder' });
  }
  if (c.eval.baseline === 'chosen' && c.data.source !== 'files') {
    ctx.addIssue({ code: 'custom', path: ['eval', 'baseline'], message: '"chosen" compares with the dataset\'s chosen responses, which only data files have; use "sft" for synthetic tasks' });
  }
  if (c.data.source === 'files' && !rmSource && !c.eval.judge) {
    ctx.addIssue({ code: 'custom', path: ['eval'], message: 'data files have no oracle: add a "rewardModel" section (the experiment trains one), eval.rewardModel (an ONNX folder) or eval.judge, so the eval has something to score with' });
  }
  if (c.data.source === 'synthetic') {
    const lists = c.methods.some((m) => PREFERENCE_LOSSES[m.loss as PreferenceLossName]?.input === 'lists');
    const fits: [string[], number, number, string][] = [
      [['sft', 'batchSize'], c.sft.batchSize, c.data.sftExamples, 'data.sftExamples'],
      [['preference', 'batchSize'], c.preference.batchSize, c.data.preferencePairs, 'data.preferencePairs'],
      ...(lists ? [[['preference', 'batchSize'], c.preference.batchSize, c.data.preferenceLists, 'data.preferenceLists'] as [string[], number, number, string]] : []),
      ...(c.rewardModel ? [[['rewardModel', 'batchSize'], c.rewardModel.batchSize, c.data.preferencePairs, 'data.preferencePairs'] as [string[], number, number, string]] : []),
    ];
    for (const [path, batch, size, field] of fits) {
      if (batch > size) ctx.addIssue({ code: 'custom', path, message: `${path.join('.')} (${batch}) is larger than ${field} (${size}): lower the batch size or raise ${field}` });
    }
  }
  if (c.data.source === 'files' && c.data.maxPromptTokens + c.data.maxResponseTokens + 2 > c.model.maxPositions) {
    ctx.addIssue({ code: 'custom', path: ['data', 'maxPromptTokens'], message: `data.maxPromptTokens + data.maxResponseTokens + 2 (bos, eos) = ${c.data.maxPromptTokens + c.data.maxResponseTokens + 2} must fit model.maxPositions = ${c.model.maxPositions}: lower them or raise model.maxPositions` });
  }
});

export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema> & { methods: MethodConfig[] };

export function parseExperimentConfig(raw: unknown, source: string): ExperimentConfig {
  const parsed = ExperimentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`${source} is not a valid experiment config:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  return { ...config, methods: config.methods.map((m, i) => resolveMethod(m, `${source}: methods.${i}`)) };
}

export function loadExperimentConfig(path: string): ExperimentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  return parseExperimentConfig(raw, path);
}

/** Each stage's key: the hash of everything its output depends on, upstream stages included. */
export function stageHashes(c: ExperimentConfig): { data: string; sft: string; rm?: string; methods: Record<string, string>; eval: string } {
  const data = configHash({ data: c.data, seed: c.seed, sources: sourceFingerprints(c) });
  const sft = configHash({ data, model: c.model, sft: numericsOf(c.sft), seed: c.seed });
  const rm = c.rewardModel ? configHash({ sft, rewardModel: numericsOf(c.rewardModel) }) : undefined;
  const methods = Object.fromEntries(c.methods.map((m) => [m.name, configHash({ sft, preference: numericsOf(c.preference), method: m })]));
  const evalHash = configHash({ sft, rm, methods, eval: evalNumericsOf(c.eval) });
  return { data, sft, rm, methods, eval: evalHash };
}

/**
 * A training section without the settings that change how a run goes but not its numbers: how a step
 * is computed (gradientCheckpointing) and how often and how many checkpoints are kept. Changing them
 * never retrains a finished stage.
 */
function numericsOf<T extends { gradientCheckpointing: boolean; checkpointEvery: number; keepCheckpoints: number }>(section: T): Omit<T, 'gradientCheckpointing' | 'checkpointEvery' | 'keepCheckpoints'> {
  const { gradientCheckpointing: _g, checkpointEvery: _c, keepCheckpoints: _k, ...rest } = section;
  return rest;
}

/** The eval section without the judge's transport settings (concurrency, timeouts, retries, budget, cache folder). */
function evalNumericsOf(e: ExperimentConfig['eval']): unknown {
  if (!e.judge) return e;
  const { concurrency: _c, timeoutMs: _t, maxRetries: _r, backoffMs: _b, maxBackoffMs: _m, budget: _u, cacheDir: _d, ...judge } = e.judge;
  return { ...e, judge };
}

/**
 * The sha256 of each source file: changed content re-runs the data stage (whose cache is keyed the same way);
 * a copied, re-mounted or touched file with the same bytes does not.
 */
function sourceFingerprints(c: ExperimentConfig): { path: string; sha256: string }[] {
  if (c.data.source !== 'files') return [];
  return c.data.files.map((f) => {
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
  if (digest === undefined) digests.set(key, (digest = createHash('sha256').update(readFileSync(path)).digest('hex')));
  return digest;
}
