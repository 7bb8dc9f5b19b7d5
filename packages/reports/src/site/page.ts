// The report pages: reports/<experiment>/index.html (its description, tables and figures, with how it
// was made) and reports/index.html (every experiment with its headline). Self-contained: they open
// from the file system with no server and no network. Charts are interactive (vega-embed, tooltips)
// from the vendored scripts in reports/assets/, with each figure's spec inlined in the page; with
// scripts off, each chart is its static SVG.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';
import { packageRoot } from '../package-root.js';

/** The browser builds the pages load, copied from their npm packages (no CDN). */
const ASSETS = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

export function writeAssets(reportsRoot: string): void {
  const dir = join(reportsRoot, 'assets');
  mkdirSync(dir, { recursive: true });
  for (const [pkg, file] of ASSETS) copyFileSync(join(packageRoot(pkg), file), join(dir, file.split('/').at(-1)!));
}

export interface PageFigure {
  name: string;
  title: string;
  caption: string;
  /** The vega-lite spec with its data, inlined for the interactive chart. */
  spec: unknown;
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON inside <script>: "</" would end the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/<\//g, '<\\/');

const STYLE =
  `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; max-width: 1180px; margin: 2rem auto; ` +
  `padding: 0 1.2rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; ` +
  `padding-bottom: .2rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; white-space: nowrap; } ` +
  `th { background: #f4f4f4; }
figure { margin: 1.5rem 0; } figcaption { font-size: .85rem; color: #555; max-width: 900px; }
.chart img { max-width: 100%; } nav a { margin-right: 1rem; } code { background: #f4f4f4; padding: 0 .2rem; }
`;

const scripts = (assets: string) =>
  ASSETS.map(([, file]) => `<script src="${assets}/${file.split('/').at(-1)}"></script>`).join('\n');

/**
 * Every chart div gets its inlined spec drawn by vega-embed; if that fails the static SVG stays and
 * the error is logged.
 */
const EMBED = `<script>
for (const div of document.querySelectorAll('.chart[data-spec]')) {
  const spec = JSON.parse(document.getElementById(div.dataset.spec).textContent);
  vegaEmbed(div, spec, { actions: { export: true, source: true, compiled: false, editor: false }, renderer: 'svg' })
    .then(() => div.setAttribute('data-rendered', 'true'))
    .catch((e) => console.error('chart ' + div.dataset.spec + ': ' + e));
}
</script>`;

/**
 * An experiment's page; `inSite`: it sits in a reports root beside assets/ and index.html, else its
 * scripts are in its own assets/.
 */
export function experimentPage(o: {
  title: string;
  markdown: string;
  figures: readonly PageFigure[];
  links: { href: string; label: string }[];
  inSite: boolean;
}): string {
  const figures = o.figures
    .map(
      (f) =>
        `<figure id="${f.name}">
<h3>${escape(f.title)}</h3>
<div class="chart" data-spec="spec-${f.name}"><img src="figures/${f.name}.svg" alt="${escape(f.title)}"></div>
<figcaption>${escape(f.caption)} Files: <a href="figures/${f.name}.png">PNG</a>, ` +
        `<a href="figures/${f.name}.svg">SVG</a>, <a href="figures/${f.name}.vl.json">vega-lite spec</a>.</figcaption>
<script type="application/json" id="spec-${f.name}">${scriptJson(f.spec)}</script>
</figure>`,
    )
    .join('\n');
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(o.title)}</title><style>${STYLE}</style>
${scripts(o.inSite ? '../assets' : 'assets')}
</head><body>
<nav>${o.inSite ? '<a href="../index.html">all experiments</a>' : ''}` +
    `${o.links.map((l) => `<a href="${l.href}">${escape(l.label)}</a>`).join('')}</nav>
${marked.parse(o.markdown, { async: false }) as string}
${figures ? `<h2>Figures</h2>\n${figures}` : ''}
${EMBED}
</body></html>
`
  );
}

export interface IndexEntry {
  name: string;
  description: string;
  headline: string;
  /** Relative path of a headline figure's PNG, if any. */
  figure?: string;
}

export function indexPage(entries: readonly IndexEntry[]): string {
  const rows = entries
    .map(
      (e) =>
        `<section>
<h2><a href="${e.name}/index.html">${escape(e.name)}</a></h2>
<p>${escape(e.description)}</p>
<p><strong>${escape(e.headline)}</strong></p>
` +
        (e.figure
          ? `<a href="${e.name}/index.html"><img src="${e.figure}" alt="${escape(e.name)} headline figure" ` +
            `style="max-width: 640px"></a>`
          : '') +
        `
</section>`,
    )
    .join('\n');
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>spo-lab reports</title><style>${STYLE}</style></head><body>
<h1>spo-lab: experiment reports</h1>
<p>Each page was regenerated from its runs by <code>nx run &lt;experiment&gt;:report</code>; ` +
    `every number comes from the committed code and the command on the page.</p>
${rows}
</body></html>
`
  );
}
