// `spo prepare`: the data section of a config into the prepared-data cache, with a summary of what was
// read, kept and dropped, and for each SPO setting of the config's methods, what pruning does to it,
// logged and written whole (with example variants) to a pruning report file.
import { pairAsList, prepareDataset } from '@spo/data';
import { writeJsonAtomic } from '@spo/engine';
import { pruningReport } from '@spo/spo';
import { describeDataset } from './describe-dataset.js';
import { preparedCacheDir } from './data-stage.js';
import type { ExperimentConfig } from '../plan/experiment-config.js';

export async function prepare(
  config: ExperimentConfig,
  reportPath: string,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  const { dir, dataset, cached } = await prepareDataset(config.data, config.seed, preparedCacheDir(), log);
  log(
    `[prepare] ` +
      (cached ? 'already prepared' : `prepared in ${((performance.now() - started) / 1000).toFixed(1)} s`) +
      `: ${dir}`,
  );
  for (const line of describeDataset(dataset)) log(`[prepare] ${line}`);
  const report = pruningReport(config.methods, dataset.preferences.map(pairAsList), config.seed, (line) =>
    log(`[prepare] ${line}`),
  );
  if (report.length) {
    writeJsonAtomic(reportPath, { dataset: dir, seed: config.seed, pruning: report });
    log(`[prepare] pruning report: ${reportPath}`);
  }
}
