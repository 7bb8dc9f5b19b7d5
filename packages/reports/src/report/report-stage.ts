// The report stage: every run's results into results.csv, paired.csv, the config's comparison CSVs and
// results.md, stamped with the command, commit, config hash, seeds and backend; the figures
// (figures/<name>.{vl.json,svg,png}); the experiment's page (index.html) and the index of every
// experiment's page (reports/index.html). Runs not run yet are listed as such, never filled in.
import { join } from 'node:path';
import { configHash } from '@spo/engine';
import { collectResults, configAsWritten, numericsPath, sourceCommit, type StageContext } from '@spo/experiment';
import { writeReport } from './write-report.js';
import { writeFiguresAndPage } from './site.js';

export async function reportStage(ctx: StageContext, command: string): Promise<void> {
  const { results, missing } = collectResults(ctx.plan);
  if (results.length === 0)
    throw new Error(`${ctx.config.name}: no run has finished its eval yet; run the experiment first (${command})`);
  writeReport(
    ctx.plan,
    results,
    missing.map((r) => r.name),
    ctx.reportDir,
    {
      command,
      commit: sourceCommit() ?? 'unknown',
      configHash: configHash(configAsWritten(ctx.config)),
      backend: `${ctx.backend.name} (matmul: ${ctx.backend.matmul})`,
      numerics: numericsPath(ctx.backend),
    },
  );
  const started = performance.now();
  const figures = await writeFiguresAndPage(ctx.plan, results, ctx.reportDir, ctx.siteRoot);
  ctx.log(
    `[report] ${results.length} runs${missing.length ? ` (${missing.length} not run yet)` : ''}: ` +
      `${ctx.reportDir}/results.md, results.csv; ${figures} figures and ` +
      `${join(ctx.reportDir, 'index.html')} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
