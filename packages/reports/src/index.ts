export { RESULT_COLUMNS, writeResultsCsv, readResultsCsv } from './results-table.js';
export type { ResultRow } from './results-table.js';
export { markdownTable, percentWithInterval } from './markdown.js';
