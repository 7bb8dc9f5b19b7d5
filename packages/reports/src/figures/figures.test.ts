// Figures render without a browser: SVG with marks, and a PNG of the right size that is not blank and
// has its text (the shipped font, not a system one), for every kind of figure the reports make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  confusionSpec,
  pairedDifferencesSpec,
  renderFigure,
  sweepSpec,
  trainingCurvesSpec,
  winRatesSpec,
  decodePng,
  inkedPixels,
} from '../index.js';

const curves = [1, 2].flatMap((seed) =>
  ['dpo', 'dpo-spo'].flatMap((method) =>
    Array.from({ length: 10 }, (_, step) => ({
      method,
      run: `${method}.seed=${seed}`,
      seed,
      step: step + 1,
      metric: 'loss',
      value: 0.7 - 0.02 * step + 0.01 * seed,
    })),
  ),
);
const interval = (label: string, mean: number) => ({ label, mean, low: mean - 0.03, high: mean + 0.03 });

const FIGURES = {
  'training-curves': trainingCurvesSpec(curves),
  'win-rates': winRatesSpec(
    [
      { ...interval('dpo', 0.62), spo: false, panel: 'oracle', seeds: 2 },
      { ...interval('dpo-spo', 0.65), spo: true, panel: 'oracle', seeds: 2 },
    ],
    'Win rates',
  ),
  'paired-differences': pairedDifferencesSpec(
    [{ ...interval('dpo-spo − dpo', 0.01), panel: 'oracle', significant: false }],
    'Paired',
    'Δ',
  ),
  sweep: sweepSpec(
    [0.01, 0.1, 1].map((l, i) => ({ ...interval(String(l), 0.01 * i), panel: 'oracle' })),
    'spo.lambda',
    'λ sweep',
    'Δ',
  ),
  'sweep-categories': sweepSpec(
    ['rake', 'tfidf'].map((l) => ({ ...interval(l, 0.01), panel: 'oracle' })),
    'spo.extractor',
    'extractor',
    'Δ',
  ),
  confusion: confusionSpec(
    [0, 1].flatMap((t) =>
      [0, 1].map((p) => ({
        panel: 'dpo-spo',
        truth: t,
        predicted: p,
        count: t === p ? 9 : 1,
        share: t === p ? 0.9 : 0.1,
      })),
    ),
    'Confusion',
  ),
};

for (const [name, spec] of Object.entries(FIGURES)) {
  test(`${name}: SVG with marks and text; PNG sized, drawn, with its title in the shipped font`, async () => {
    const f = await renderFigure(name, spec);
    assert.match(f.svg, /^<svg/);
    assert.ok((f.svg.match(/class="mark-/g) ?? []).length >= 2, 'marks drawn');
    assert.match(f.svg, /font-family="DejaVu Sans/);
    const png = decodePng(f.png);
    assert.ok(png.width > 200 && png.height > 100, `${png.width}x${png.height}`);
    const ink = inkedPixels(png);
    assert.ok(ink > 0.005 * png.width * png.height, `only ${ink} drawn pixels`);
    // the title sits in the top band of the image: without a font it would be empty
    assert.ok(
      inkedPixels(png, { x0: 0, y0: 0, x1: png.width, y1: Math.round(png.height * 0.12) }) > 100,
      'title text rendered',
    );
  });
}

test('a PNG decoder that knows a blank image from a drawn one', async () => {
  const blank = await renderFigure('blank', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 100,
    height: 60,
    data: { values: [] },
    mark: 'point',
    config: { axis: { disable: true }, view: { stroke: null } },
  });
  assert.equal(inkedPixels(decodePng(blank.png)), 0);
});
