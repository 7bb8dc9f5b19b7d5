// The report's figures and pages on disk: each figure rendered into reports/<experiment>/figures/, the
// experiment's index.html (results.md with its figures), the shared browser scripts in
// reports/assets/, and reports/index.html listing every experiment that has a page, with its headline.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@spo/engine';
import { experimentPage, indexPage, renderFigure, writeAssets, writeFigure, type IndexEntry } from '@spo/reports';
import type { ExperimentPlan } from '../experiment/plan.js';
import type { RunResult } from './collect.js';
import { reportFigures } from './figures.js';

export async function writeFiguresAndPage(plan: ExperimentPlan, results: readonly RunResult[], reportDir: string): Promise<number> {
  const figures = reportFigures(plan, results);
  for (const f of figures) writeFigure(join(reportDir, 'figures'), await renderFigure(f.name, f.spec));
  const markdown = readFileSync(join(reportDir, 'results.md'), 'utf8');
  const links = [{ href: 'results.csv', label: 'results.csv' }, ...(existsSync(join(reportDir, 'paired.csv')) ? [{ href: 'paired.csv', label: 'paired.csv' }] : [])];
  writeFileAtomic(join(reportDir, 'index.html'), experimentPage({ title: `${plan.config.name}: results`, markdown, figures, links }));
  const root = dirname(reportDir);
  writeAssets(root);
  writeFileAtomic(join(root, 'index.html'), indexPage(indexEntries(root)));
  return figures.length;
}

/** Every experiment folder under reports/ with a page: its description and headline, read back from its results.md. */
function indexEntries(root: string): IndexEntry[] {
  return readdirSync(root).filter((d) => existsSync(join(root, d, 'index.html')) && existsSync(join(root, d, 'results.md'))).sort().map((name) => {
    const md = readFileSync(join(root, name, 'results.md'), 'utf8').split('\n');
    const description = md.find((l, i) => i > 0 && l.trim() && !l.startsWith('#')) ?? '';
    const significant = md.find((l) => /comparisons; \d+ with a Δ interval/.test(l));
    const headline = significant ? significant.split('.')[0] : md.find((l) => l.startsWith('| ') && /%/.test(l)) ?? 'see the page';
    const figure = ['paired-differences', 'win-rates'].map((f) => join(name, 'figures', `${f}.png`)).find((f) => existsSync(join(root, f)));
    return { name, description, headline, ...(figure ? { figure } : {}) };
  });
}
