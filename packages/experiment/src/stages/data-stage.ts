// The data stage of one data variant: the prepared dataset for its data config and seed, from the
// prepared-data cache when its inputs are unchanged, copied into the variant's folder.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataset } from '@spo/data';
import { runStage } from './stage-dir.js';
import { numericsPath, type StageContext } from './context.js';
import { pretrainedSource } from './starting-model.js';
import type { Variant } from '../plan/plan.js';
import { describeDataset } from './describe-dataset.js';

/** Where prepared datasets are cached: $SPO_CACHE_DIR, else .cache/spo in the working directory. */
export const preparedCacheDir = () => join(process.env.SPO_CACHE_DIR ?? join('.cache', 'spo'), 'prepared');

export async function dataStage(ctx: StageContext, v: Variant): Promise<void> {
  const label = v.id ? `data ${v.id}` : 'data';
  await runStage(
    { label, stage: { dir: v.dirs.data, hash: v.hashes.data }, force: ctx.force, log: ctx.log },
    async () => {
      const pretrained = pretrainedSource(ctx.config.model, v.data, numericsPath(ctx.backend), ctx.log);
      const { dir, dataset, cached } = await prepareDataset(v.data, v.seed, preparedCacheDir(), ctx.log, pretrained);
      ctx.log(`[${label}] ${cached ? 'from the cache' : 'prepared'}: ${dir}`);
      for (const line of describeDataset(dataset)) ctx.log(`[${label}] ${line}`);
      rmSync(join(v.dirs.data, 'dataset'), { recursive: true, force: true });
      cpSync(dir, join(v.dirs.data, 'dataset'), { recursive: true });
      return dataset.manifest.counts;
    },
  );
}
