// What every source format turns a raw row into: a prompt and its responses ranked best first
// (a preference pair is a list of two), plus the source's own split name where it has one.
import type { RowLocation } from './bad-rows.js';
import type { PromptRenderer } from './prompt-format.js';
import type { LabelConfig } from './labels.js';

export interface SourceRow {
  prompt: string;
  responses: string[];
  split?: string;
  /** The file's field each response was read from, where the format's own names do not say (data.label). */
  responseFields?: string[];
  /** Where the row came from (set by the loader). */
  at?: RowLocation;
}

/** Column / key names; each format has its own defaults. */
export interface FieldNames {
  prompt: string;
  chosen: string;
  rejected: string;
  responses: string;
  scores: string;
  ranks: string;
}

export interface RowContext {
  at: RowLocation;
  fields: FieldNames;
  renderPrompt: PromptRenderer;
  /** data.promptTemplate: the prompt built from several fields instead of read from fields.prompt. */
  promptTemplate?: string;
  /** data.label: the two responses and the verdict that orders them, instead of chosen and rejected fields. */
  label?: LabelConfig;
}

export type RowParser = (row: unknown, ctx: RowContext) => SourceRow;
