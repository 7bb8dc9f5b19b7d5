// What pruning does to a dataset, for each distinct `spo` setting among an experiment's methods: key
// phrases per response, phrases and words removed and distinct variants per level, and how many degree
// groups keep all K levels, are rebuilt with fewer or are dropped. `spo prepare` logs it and writes it
// whole to the pruning report file; each run writes its own as degree-variants-summary.json.
import { canonicalJson } from '@spo/engine';
import type { PreferenceList } from '@spo/data';
import type { SpoConfig } from './config.js';
import { buildDegreeVariantSet, type DegreeVariantSummary } from './degree-variant-set.js';

export interface PruningReport {
  method: string;
  spo: SpoConfig;
  summary: DegreeVariantSummary;
}

export function pruningReport(
  methods: readonly { name: string; spo?: SpoConfig }[],
  lists: readonly PreferenceList[],
  seed: number,
  log: (line: string) => void,
): PruningReport[] {
  const seen = new Set<string>();
  const report: PruningReport[] = [];
  for (const m of methods) {
    if (!m.spo || seen.has(canonicalJson(m.spo))) continue;
    seen.add(canonicalJson(m.spo));
    const { summary: s } = buildDegreeVariantSet(lists, m.spo, seed);
    const f = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
    log(
      `pruning for "${m.name}" (${m.spo.extractor}, K = ${m.spo.degrees}, keyShare ${m.spo.keyShare}, ` +
        `${m.spo.target}): ${s.responses} responses, ${s.keyPhrases.mean.toFixed(1)} key phrases each ` +
        `(${s.keyPhrases.responsesWithNone} with none)`,
    );
    log(
      `  per level: phrases removed ${f(s.meanPhrasesRemoved)}; ` +
        `words removed ${f(s.meanWordsRemoved)}; distinct variants ${s.distinctPerLevel.join(' / ')}`,
    );
    log(
      `  degree groups: ${s.groups.full} with all ${m.spo.degrees} levels, ` +
        `${s.groups.rebuilt} rebuilt with fewer, ${s.groups.dropped} dropped (under 2 distinct levels); ` +
        `levels left out: ${s.levelsLeftOut['same-as-above']} same as the level above, ${s.levelsLeftOut.empty} empty`,
    );
    report.push({ method: m.name, spo: m.spo, summary: s });
  }
  return report;
}
