// The source formats `data.format` names: how each file is read and each row parsed, and its field names.
import { readCsvRows, readJsonRows, type RawRow } from './read-rows.js';
import { parseHhRlhfRow } from './hh-rlhf.js';
import { parseTldrRow } from './tldr.js';
import { parseChatPairRow } from './chat-pairs.js';
import { parseRankedListRow } from './ranked-lists.js';
import type { FieldNames, RowParser } from './source-row.js';

export interface SourceFormat {
  description: string;
  read: (file: string, delimiter?: string) => AsyncGenerator<RawRow>;
  parse: RowParser;
  fields: FieldNames;
}

const FIELDS: FieldNames = {
  prompt: 'prompt',
  chosen: 'chosen',
  rejected: 'rejected',
  responses: 'responses',
  scores: 'scores',
  ranks: 'ranks',
};

export const SOURCE_FORMATS = {
  'hh-rlhf': {
    description: 'Anthropic HH-RLHF: {chosen, rejected} whole dialogues (.jsonl, .jsonl.gz)',
    read: readJsonRows,
    parse: parseHhRlhfRow,
    fields: FIELDS,
  },
  tldr: {
    description: 'OpenAI summarize-from-feedback comparisons: {info, summaries, choice} per line',
    read: readJsonRows,
    parse: parseTldrRow,
    fields: FIELDS,
  },
  pairs: {
    description: 'JSON / JSONL {prompt, chosen, rejected}: strings or chat messages',
    read: readJsonRows,
    parse: parseChatPairRow,
    fields: FIELDS,
  },
  sharegpt: {
    description: 'ShareGPT / LLaMA-Factory {conversations, chosen, rejected}',
    read: readJsonRows,
    parse: parseChatPairRow,
    fields: { ...FIELDS, prompt: 'conversations' },
  },
  csv: {
    description: 'CSV / TSV with a header row: prompt, chosen, rejected columns',
    read: readCsvRows,
    parse: parseChatPairRow,
    fields: FIELDS,
  },
  ranked: {
    description: 'JSON / JSONL {prompt, responses, scores | ranks}',
    read: readJsonRows,
    parse: parseRankedListRow,
    fields: FIELDS,
  },
} satisfies Record<string, SourceFormat>;

export type SourceFormatName = keyof typeof SOURCE_FORMATS;
export const SOURCE_FORMAT_NAMES = Object.keys(SOURCE_FORMATS) as [SourceFormatName, ...SourceFormatName[]];
