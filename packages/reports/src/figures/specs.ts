// Vega-lite specs for the figures researchers look at first, each with its data inlined so the spec
// reopens as it is in the vega editor. Pure functions of plain rows: no files, no rendering here.

type Row = Record<string, string | number | boolean | null>;
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const FIGURE_FONT = 'DejaVu Sans';
const base = (title: string, description: string) => ({
  $schema: SCHEMA,
  title,
  description,
  config: {
    font: FIGURE_FONT,
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 12 },
    legend: { labelFontSize: 11, titleFontSize: 12 },
    title: { fontSize: 14 },
  },
});

export interface CurvePoint extends Row {
  /** The line's group: method and its settings ("dpo-spo.lambda=0.5"). */
  method: string;
  run: string;
  seed: number;
  step: number;
  metric: string;
  value: number;
}

/**
 * Training curves: one panel per metric, runs overlaid and coloured by method, each seed a thin line and
 * the mean over seeds a thick one. A dropdown filters the methods in the interactive page.
 */
export function trainingCurvesSpec(points: readonly CurvePoint[], title = 'Training curves'): VegaLiteSpec {
  const methods = [...new Set(points.map((p) => p.method))];
  return {
    ...base(
      title,
      'Per-step training metrics from metrics.jsonl: thin lines are seeds, thick lines the mean over seeds.',
    ),
    data: { values: points },
    facet: {
      row: {
        field: 'metric',
        type: 'nominal',
        title: null,
        header: { labelFontSize: 12, labelAngle: 0, labelAlign: 'left' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 520,
      height: 140,
      layer: [
        {
          params: [{ name: 'method_filter', select: { type: 'point', fields: ['method'] }, bind: 'legend' }],
          mark: { type: 'line', strokeWidth: 0.8, opacity: 0.35 },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'step' },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color: {
              field: 'method',
              type: 'nominal',
              scale: { domain: methods },
              legend: { title: 'method (click to filter)', titleLimit: 400, labelLimit: 400 },
            },
            detail: { field: 'run', type: 'nominal' },
            opacity: { condition: { param: 'method_filter', value: 0.35 }, value: 0.04 },
            tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'value', format: '.4f' }],
          },
        },
        {
          transform: [
            { aggregate: [{ op: 'mean', field: 'value', as: 'mean' }], groupby: ['method', 'metric', 'step'] },
          ],
          mark: { type: 'line', strokeWidth: 2.2 },
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            y: { field: 'mean', type: 'quantitative' },
            color: { field: 'method', type: 'nominal', scale: { domain: methods } },
            opacity: { condition: { param: 'method_filter', value: 1 }, value: 0.08 },
            tooltip: [
              { field: 'method' },
              { field: 'step' },
              { field: 'mean', format: '.4f', title: 'mean over seeds' },
            ],
          },
        },
      ],
    },
  };
}

export interface IntervalRow extends Row {
  label: string;
  mean: number;
  low: number;
  high: number;
}

/** Win rates with 95% intervals as error bars, one panel per evaluator (and data variant), +SPO in its own colour. */
export function winRatesSpec(
  rows: readonly (IntervalRow & { spo: boolean; panel: string; seeds: number })[],
  title: string,
): VegaLiteSpec {
  return {
    ...base(
      title,
      'Mean over seeds of the win rate against the SFT model; ' +
        'bars are 95% Student-t intervals over the seed means. The dashed line is 50%.',
    ),
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 12 } } },
    spec: {
      width: 240,
      height: { step: 18 },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
          data: { values: [{ x: 0.5 }] },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
        {
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 360 } },
            x: {
              field: 'low',
              type: 'quantitative',
              title: 'win rate vs SFT',
              axis: { format: '%' },
              scale: { zero: false },
            },
            x2: { field: 'high' },
            color: { field: 'spo', type: 'nominal', title: '+SPO' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 50 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: null },
            x: { field: 'mean', type: 'quantitative' },
            color: { field: 'spo', type: 'nominal' },
            tooltip: [
              { field: 'label', title: 'method' },
              { field: 'panel' },
              { field: 'mean', format: '.1%', title: 'win rate' },
              { field: 'low', format: '.1%' },
              { field: 'high', format: '.1%' },
              { field: 'seeds' },
            ],
          },
        },
      ],
    },
  };
}

/** Paired differences (treatment − control) with 95% intervals and zero marked; significant ones filled. */
export function pairedDifferencesSpec(
  rows: readonly (IntervalRow & { panel: string; significant: boolean })[],
  title: string,
  xTitle: string,
): VegaLiteSpec {
  return {
    ...base(
      title,
      'Paired on the same data, seeds, prompts and sampling streams; bars are 95% Student-t intervals ' +
        "over the seed means. A filled point is significant after Holm's adjustment over the points.",
    ),
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 12 } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 240,
      height: { step: 18 },
      layer: [
        {
          mark: { type: 'rule', color: '#c33' },
          data: { values: [{ x: 0 }] },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
        {
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 360 } },
            x: { field: 'low', type: 'quantitative', title: xTitle },
            x2: { field: 'high' },
          },
        },
        {
          mark: { type: 'point', size: 50 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: null },
            x: { field: 'mean', type: 'quantitative' },
            fill: { condition: { test: 'datum.significant', value: '#1f77b4' }, value: 'white' },
            stroke: { value: '#1f77b4' },
            tooltip: [
              { field: 'label', title: 'comparison' },
              { field: 'panel' },
              { field: 'mean', format: '+.4f' },
              { field: 'low', format: '+.4f' },
              { field: 'high', format: '+.4f' },
              { field: 'significant' },
            ],
          },
        },
      ],
    },
  };
}

/** A metric against a swept value with an interval band (numeric values) or error bars (categories), zero marked. */
export function sweepSpec(
  rows: readonly (IntervalRow & { panel: string })[],
  by: string,
  title: string,
  yTitle: string,
): VegaLiteSpec {
  const numeric = rows.every((r) => !Number.isNaN(Number(r.label)));
  const x = numeric
    ? {
        field: 'x',
        type: 'quantitative',
        title: by,
        scale: {
          type:
            rows.every((r) => Number(r.label) > 0) &&
            Math.max(...rows.map((r) => Number(r.label))) / Math.min(...rows.map((r) => Number(r.label))) >= 20
              ? 'log'
              : 'linear',
        },
      }
    : { field: 'label', type: 'nominal', title: by, sort: null };
  const values = rows.map((r) => ({ ...r, x: numeric ? Number(r.label) : r.label }));
  return {
    ...base(
      title,
      `${yTitle} at each value of ${by}, against the baseline on the same seeds and prompts; ` +
        `the band (or bars) is the 95% interval.`,
    ),
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 180,
      layer: [
        {
          mark: { type: 'rule', color: '#c33' },
          data: { values: [{ y: 0 }] },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        numeric
          ? {
              mark: { type: 'area', opacity: 0.25 },
              encoding: { x, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' } },
            }
          : {
              mark: { type: 'rule', strokeWidth: 1.5 },
              encoding: { x, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' } },
            },
        {
          mark: { type: numeric ? 'line' : 'point', point: numeric, filled: true },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative' },
            tooltip: [
              { field: 'label', title: by },
              { field: 'mean', format: '+.4f' },
              { field: 'low', format: '+.4f' },
              { field: 'high', format: '+.4f' },
            ],
          },
        },
      ],
    },
  };
}

export interface ConfusionCell extends Row {
  panel: string;
  truth: number;
  predicted: number;
  count: number;
  /** Share of the true level's variants. */
  share: number;
}

/** The degree head's confusion between levels, summed over seeds, as a heatmap with the counts written in. */
export function confusionSpec(cells: readonly ConfusionCell[], title: string): VegaLiteSpec {
  return {
    ...base(
      title,
      'Rows: the true degree level of a variant; columns: the level the final model assigns it; ' +
        'colour: the share of the row; summed over seeds.',
    ),
    data: { values: cells },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: {
      width: { step: 34 },
      height: { step: 34 },
      encoding: {
        x: { field: 'predicted', type: 'ordinal', title: 'predicted level' },
        y: { field: 'truth', type: 'ordinal', title: 'true level' },
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: {
              field: 'share',
              type: 'quantitative',
              scale: { scheme: 'blues', domain: [0, 1] },
              title: 'share of row',
            },
            tooltip: [
              { field: 'truth' },
              { field: 'predicted' },
              { field: 'count' },
              { field: 'share', format: '.1%' },
            ],
          },
        },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  };
}
