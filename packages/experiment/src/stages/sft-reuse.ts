// An SFT model that another data variant of the experiment has already trained from the same inputs:
// the same demonstrations and tokenizer, model section, SFT settings, seed and numerics path give the
// same model bit for bit, so the SFT stage copies it instead of training it again. A data grid's
// variants often differ only in their preference pairs (label noise, how many pairs): when-spo-helps's
// 21 variants hold 3 distinct SFT models. The inputs are fingerprinted from the prepared data the stage
// reads, not from the config, so nothing it depends on can differ unseen; a finished SFT stage records
// its fingerprint in <runs>/.sft-by-inputs/, and a copy is taken only from a folder that is done under
// its own hash and whose final/ matches its checksums.
import { copyFileSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { checksumProblems, configHash, readJsonFile, writeDirAtomic, writeJsonAtomic } from '@spo/engine';
import type { PreparedDataset } from '@spo/data';
import { isPretrained } from '@spo/model';
import { numericsOf } from '../plan/experiment-config.js';
import { modelKey, type Variant } from '../plan/plan.js';
import { isStageDone, type StageDir } from '../results/stage-record.js';
import { numericsPath, type StageContext } from './context.js';

/** The files an SFT stage leaves that later stages and readers use. */
const SFT_FILES = ['metrics.jsonl', 'train-summary.json'];

/** The hash of everything an SFT model is computed from, the data by its content. */
export function sftInputs(ctx: StageContext, v: Variant, ds: PreparedDataset): string {
  return configHash({
    demonstrations: configHash(ds.sft),
    tokenizer: configHash(ds.tokenizer.files()),
    model: modelKey(ctx.config.model),
    // a pretrained starting model's files are fingerprinted in the data hash
    ...(isPretrained(ctx.config.model) ? { pretrained: v.hashes.data } : {}),
    sft: numericsOf(ctx.config.sft),
    seed: v.seed,
    numerics: numericsPath(ctx.backend),
  });
}

const recordPath = (ctx: StageContext, inputs: string) => join(ctx.plan.runDir, '.sft-by-inputs', `${inputs}.json`);

/** A finished SFT stage trained from `inputs`, other than `stage` itself, if one is recorded and sound. */
export function trainedFrom(ctx: StageContext, inputs: string, stage: StageDir): StageDir | undefined {
  const path = recordPath(ctx, inputs);
  if (!existsSync(path)) return undefined;
  const found = readJsonFile<StageDir>(path, `delete ${path}; the SFT stage then trains its model`);
  if (found.dir === stage.dir || !existsSync(found.dir) || !isStageDone(found)) return undefined;
  return checksumProblems(join(found.dir, 'final')).length === 0 ? found : undefined;
}

/** Record that `stage` trains its model from `inputs` (a reader takes it only once the stage is done). */
export function recordTrained(ctx: StageContext, inputs: string, stage: StageDir): void {
  writeJsonAtomic(recordPath(ctx, inputs), stage);
}

/** Copy the trained model and its metrics into `dir`; returns the summary the source finished with. */
export function copyTrained(from: StageDir, dir: string): unknown {
  writeDirAtomic(join(dir, 'final'), (tmp) => cpSync(join(from.dir, 'final'), tmp, { recursive: true }));
  for (const file of SFT_FILES)
    if (existsSync(join(from.dir, file))) copyFileSync(join(from.dir, file), join(dir, file));
  return readJsonFile<{ summary?: unknown }>(join(from.dir, 'done.json'), `train ${dir} again (--force)`).summary;
}
