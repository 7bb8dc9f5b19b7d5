// The report's figures and pages on disk: each figure rendered into reports/<experiment>/figures/, the
// experiment's index.html (results.md with its figures), the shared browser scripts in
// reports/assets/, and reports/index.html listing every experiment that has a page, with its headline.
// A report folder the user named (--report-dir) is a site of its own: its page loads the scripts from
// its own assets/, and nothing is written beside the folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@spo/engine';
import { experimentPage, indexPage, writeAssets, type IndexEntry } from '../site/page.js';
import { renderFigure, writeFigure } from '../figures/render.js';
import type { ExperimentPlan, RunResult } from '@spo/experiment';
import { reportFigures } from './figures.js';

export async function writeFiguresAndPage(
  plan: ExperimentPlan,
  results: readonly RunResult[],
  reportDir: string,
  siteRoot?: string,
): Promise<number> {
  const figures = reportFigures(plan, results);
  for (const f of figures) writeFigure(join(reportDir, 'figures'), await renderFigure(f.name, f.spec));
  const markdown = readFileSync(join(reportDir, 'results.md'), 'utf8');
  const links = [
    { href: 'results.csv', label: 'results.csv' },
    ...(existsSync(join(reportDir, 'paired.csv')) ? [{ href: 'paired.csv', label: 'paired.csv' }] : []),
  ];
  const inSite = siteRoot !== undefined && resolve(dirname(reportDir)) === resolve(siteRoot);
  writeFileAtomic(
    join(reportDir, 'index.html'),
    experimentPage({ title: `${plan.config.name}: results`, markdown, figures, links, inSite }),
  );
  writeAssets(inSite ? siteRoot : reportDir);
  if (inSite) writeFileAtomic(join(siteRoot, 'index.html'), indexPage(indexEntries(siteRoot)));
  return figures.length;
}

/** Every experiment folder under reports/ with a page: its description and headline, read back from its results.md. */
function indexEntries(root: string): IndexEntry[] {
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'index.html')) && existsSync(join(root, d, 'results.md')))
    .sort()
    .map((name) => {
      const md = readFileSync(join(root, name, 'results.md'), 'utf8').split('\n');
      const description = md.find((l, i) => i > 0 && l.trim() && !l.startsWith('#')) ?? '';
      const significant = md.find((l) => /comparisons; \d+ with a Δ interval/.test(l));
      const headline = significant
        ? significant.split('.')[0]
        : (md.find((l) => l.startsWith('| ') && /%/.test(l)) ?? 'see the page');
      const figure = ['paired-differences', 'win-rates']
        .map((f) => join(name, 'figures', `${f}.png`))
        .find((f) => existsSync(join(root, f)));
      return { name, description, headline, ...(figure ? { figure } : {}) };
    });
}
