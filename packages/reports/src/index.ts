export { RESULT_COLUMNS, writeResultsCsv, readResultsCsv, writeCsv } from './results-table.js';
export type { ResultRow } from './results-table.js';
export { markdownTable, percentWithInterval } from './markdown.js';
