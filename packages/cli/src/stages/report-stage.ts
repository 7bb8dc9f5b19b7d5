// The report stage: every run's results into results.csv, paired.csv, the config's comparison CSVs and
// results.md, stamped with the command, commit, config hash, seeds and backend. Runs not run yet are
// listed as such, never filled in.
import { configHash } from '@spo/engine';
import { collectResults } from '../report/collect.js';
import { writeReport } from '../report/write-report.js';
import { sourceCommit } from '../version.js';
import type { StageContext } from './context.js';

export function reportStage(ctx: StageContext, command: string): void {
  const { results, missing } = collectResults(ctx.plan);
  if (results.length === 0) throw new Error(`${ctx.config.name}: no run has finished its eval yet; run the experiment first (${command})`);
  const { name: _, ...config } = ctx.config;
  writeReport(ctx.plan, results, missing.map((r) => r.name), ctx.reportDir, {
    command, commit: sourceCommit() ?? 'unknown', configHash: configHash(config), backend: `${ctx.backend.name} (matmul: ${ctx.backend.matmul})`,
  });
  ctx.log(`[report] ${results.length} runs${missing.length ? ` (${missing.length} not run yet)` : ''}: ${ctx.reportDir}/results.md, results.csv`);
}
