// Figures rendered in Node without a browser: vega-lite compiled to vega, drawn as SVG by vega's own
// SVG renderer, and turned into PNG by resvg with a font shipped in an npm package (DejaVu Sans), so
// text renders the same on every machine. Each figure is written as <name>.vl.json (the spec with its
// data, for the vega editor), <name>.svg and <name>.png.
import { join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '@spo/engine';
import type { VegaLiteSpec } from './specs.js';
import { packageRoot } from '../package-root.js';

/** The TTF every figure's text is drawn with. */
export const FIGURE_FONT_FILE = join(packageRoot('dejavu-fonts-ttf'), 'ttf', 'DejaVuSans.ttf');

export interface RenderedFigure {
  name: string;
  spec: VegaLiteSpec;
  svg: string;
  png: Uint8Array;
}

export async function renderFigure(name: string, spec: VegaLiteSpec): Promise<RenderedFigure> {
  const view = new vega.View(vega.parse(vl.compile(spec as unknown as vl.TopLevelSpec).spec), {
    renderer: 'none',
    logLevel: vega.Warn,
  });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    font: { fontFiles: [FIGURE_FONT_FILE], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  })
    .render()
    .asPng();
  return { name, spec, svg, png };
}

/** Write <dir>/<name>.vl.json, .svg and .png atomically. */
export function writeFigure(dir: string, f: RenderedFigure): void {
  writeFileAtomic(join(dir, `${f.name}.vl.json`), `${JSON.stringify(f.spec)}\n`);
  writeFileAtomic(join(dir, `${f.name}.svg`), f.svg);
  writeFileAtomic(join(dir, `${f.name}.png`), f.png);
}
