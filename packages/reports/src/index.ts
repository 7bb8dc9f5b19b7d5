export { RESULT_COLUMNS, writeResultsCsv, readResultsCsv, writeCsv } from './results-table.js';
export type { ResultRow } from './results-table.js';
export { markdownTable, percentWithInterval } from './markdown.js';
export {
  trainingCurvesSpec,
  winRatesSpec,
  pairedDifferencesSpec,
  sweepSpec,
  confusionSpec,
  FIGURE_FONT,
} from './figures/specs.js';
export type { VegaLiteSpec, CurvePoint, IntervalRow, ConfusionCell } from './figures/specs.js';
export { renderFigure, writeFigure, FIGURE_FONT_FILE } from './figures/render.js';
export type { RenderedFigure } from './figures/render.js';
export { decodePng, inkedPixels } from './figures/png.js';
export type { DecodedPng } from './figures/png.js';
export { experimentPage, indexPage, writeAssets } from './site/page.js';
export type { PageFigure, IndexEntry } from './site/page.js';
export { reportStage } from './report/report-stage.js';
export {
  writeReport,
  resultRows,
  comparisonFile,
  comparisonMarkdown,
  writeComparisonCsv,
} from './report/write-report.js';
export type { ReportStamp } from './report/write-report.js';
export { compareRuns } from './report/compare.js';
export type { Comparison, CompareRow } from './report/compare.js';
export { reportFigures, curvePointsOf } from './report/figures.js';
export { writeFiguresAndPage } from './report/site.js';
