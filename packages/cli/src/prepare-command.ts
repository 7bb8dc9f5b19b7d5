// `spo prepare`: the data section of a config into the prepared-data cache, with a summary of what was
// read, kept and dropped, and for each SPO setting of the config's methods, what pruning does to it,
// logged and written whole (with example variants) to a pruning report file.
import { buildDegreeVariantSet, pairAsList, prepareDataset } from '@spo/data';
import { canonicalJson, writeJsonAtomic } from '@spo/engine';
import { describeDataset } from './describe-dataset.js';
import { preparedCacheDir } from './stages/data-stage.js';
import type { ExperimentConfig } from './experiment-config.js';

export async function prepare(config: ExperimentConfig, reportPath: string, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const { dir, dataset, cached } = await prepareDataset(config.data, config.seed, preparedCacheDir(), log);
  log(`[prepare] ${cached ? 'already prepared' : `prepared in ${((performance.now() - started) / 1000).toFixed(1)} s`}: ${dir}`);
  for (const line of describeDataset(dataset)) log(`[prepare] ${line}`);
  const lists = dataset.preferences.map(pairAsList);
  const seen = new Set<string>();
  const report: { method: string; spo: unknown; summary: unknown }[] = [];
  for (const m of config.methods) {
    if (!m.spo || seen.has(canonicalJson(m.spo))) continue;
    seen.add(canonicalJson(m.spo));
    const { summary: s } = buildDegreeVariantSet(lists, m.spo, config.seed);
    const f = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
    log(`[prepare] pruning for "${m.name}" (${m.spo.extractor}, K = ${m.spo.degrees}, keyShare ${m.spo.keyShare}, ${m.spo.target}): ${s.responses} responses, ${s.keyPhrases.mean.toFixed(1)} key phrases each (${s.keyPhrases.responsesWithNone} with none)`);
    log(`[prepare]   per level: phrases removed ${f(s.meanPhrasesRemoved)}; words removed ${f(s.meanWordsRemoved)}; distinct variants ${s.distinctPerLevel.join(' / ')}`);
    log(`[prepare]   degree groups: ${s.groups.full} with all ${m.spo.degrees} levels, ${s.groups.rebuilt} rebuilt with fewer, ${s.groups.dropped} dropped (under 2 distinct levels); levels left out: ${s.levelsLeftOut['same-as-above']} same as the level above, ${s.levelsLeftOut.empty} empty`);
    report.push({ method: m.name, spo: m.spo, summary: s });
  }
  if (report.length) {
    writeJsonAtomic(reportPath, { dataset: dir, seed: config.seed, pruning: report });
    log(`[prepare] pruning report: ${reportPath}`);
  }
}
