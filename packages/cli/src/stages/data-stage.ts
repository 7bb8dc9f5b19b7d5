// The data stage: the prepared dataset for the experiment's data config, from the prepared-data cache
// when its inputs are unchanged, copied into the run folder.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataset } from '@spo/data';
import { runStage } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';
import { describeDataset } from '../describe-dataset.js';

/** Where prepared datasets are cached: $SPO_CACHE_DIR, else .cache/spo in the working directory. */
export const preparedCacheDir = () => join(process.env.SPO_CACHE_DIR ?? join('.cache', 'spo'), 'prepared');

export async function dataStage(ctx: StageContext): Promise<void> {
  const stage = stageDirs(ctx).data;
  await runStage({ label: 'data', stage, force: ctx.force, log: ctx.log }, async () => {
    const { dir, dataset, cached } = await prepareDataset(ctx.config.data, ctx.config.seed, preparedCacheDir(), ctx.log);
    ctx.log(`[data] ${cached ? 'from the cache' : 'prepared'}: ${dir}`);
    for (const line of describeDataset(dataset)) ctx.log(`[data] ${line}`);
    rmSync(join(stage.dir, 'dataset'), { recursive: true, force: true });
    cpSync(dir, join(stage.dir, 'dataset'), { recursive: true });
    return dataset.manifest.counts;
  });
}
