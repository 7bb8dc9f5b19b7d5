// A prepared dataset from preference files: load and check every row, split, get the tokenizer
// (pretrained, or trained on the train split), fit prompts into their budget, drop responses over
// theirs, and report what happened at each step. SFT demonstrations are the train split's best
// responses, as in the DPO paper's HH-RLHF setup; eval prompts are the test split's.
import { BadRowError, BadRowTally } from './bad-rows.js';
import { loadSourceFiles, type LoadSummary } from './load-source-files.js';
import { noRowsError } from './no-rows.js';
import { templateFields } from './prompt-template.js';
import { SOURCE_FORMATS } from './source-formats.js';
import { hhPrompt, type PromptRenderer } from './prompt-format.js';
import { seededSplit, type SplitName } from './splits.js';
import type { SourceRow } from './source-row.js';
import { HfTokenizer } from '../hf-tokenizer.js';
import { trainTokenizer } from '../train-tokenizer.js';
import { truncatePrompt } from '../truncation.js';
import { lengthStats, type LengthStats } from '../length-stats.js';
import type { TextTokenizer } from '../tokenizer.js';
import type { FileDataConfig } from '../config.js';
import type { PreferencePair } from '../records.js';
import type { PreparedDataset } from '../prepared-dataset.js';

/** A prepared dataset before its manifest, with the report of what preparing it did. */
export type FileDatasetParts = Omit<PreparedDataset, 'manifest'> & { report: PrepareReport };

export interface PrepareReport {
  load: LoadSummary;
  /** Rows per split after every filter. */
  splits: Record<SplitName, number>;
  /** Prompts cut to data.maxPromptTokens. */
  promptsTruncated: number;
  /** Token lengths before truncation. */
  promptTokens: LengthStats;
  responseTokens: LengthStats;
}

export async function prepareFromFiles(
  config: FileDataConfig,
  seed: number,
  log: (line: string) => void,
): Promise<FileDatasetParts> {
  const pretrained = config.tokenizer.kind === 'pretrained' ? HfTokenizer.fromFolder(config.tokenizer.path) : undefined;
  const renderPrompt: PromptRenderer =
    config.chatFormat === 'template'
      ? (messages) => {
          if (!pretrained)
            throw new Error(
              'data.chatFormat "template" needs data.tokenizer.kind "pretrained" (a tokenizer with a chat template)',
            );
          return pretrained.applyChatTemplate(messages);
        }
      : hhPrompt;

  const started = Date.now();
  const splitOf = new Map<SourceRow, SplitName>();
  const rows: SourceRow[] = [];
  let load: LoadSummary | undefined;
  for (const entry of config.files) {
    const file = typeof entry === 'string' ? { path: entry, split: undefined } : entry;
    const loaded = await loadSourceFiles({
      format: config.format,
      files: [file.path],
      fields: config.fields,
      delimiter: config.delimiter,
      onBadRow: config.onBadRow,
      limit: config.limit === undefined ? undefined : config.limit - rows.length,
      maxChars: config.maxChars,
      renderPrompt,
      promptTemplate: config.promptTemplate,
      label: config.label,
      onProgress: (n) =>
        log(
          `[prepare] ${file.path}: ` +
            `${n} rows read (${Math.round(((load?.rowsRead ?? 0) + n) / ((Date.now() - started) / 1000))} rows/s)`,
        ),
    });
    if (loaded.summary.rowsRead === 0)
      log(
        `[prepare] warning: ${file.path} has no rows (an empty file, or a download cut before its first row?); ` +
          `the other files are used`,
      );
    for (const r of loaded.rows) splitOf.set(r, file.split ?? seededSplit(r.prompt, seed, config.splits));
    rows.push(...loaded.rows);
    load = mergeSummaries(load, loaded.summary);
    if (config.limit !== undefined && rows.length >= config.limit) break;
  }
  log(
    `[prepare] ${load!.rowsRead} rows read, ${load!.rowsKept} parsed and checked in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s (token lengths are checked next)`,
  );
  if (rows.length === 0) throw noRowsError(load!, fieldsRead(config), 'after loading');

  const train = rows.filter((r) => splitOf.get(r) === 'train');
  let tokenizer: TextTokenizer;
  if (pretrained) tokenizer = pretrained;
  else {
    const t = config.tokenizer as Exclude<FileDataConfig['tokenizer'], { kind: 'pretrained' }>;
    const t0 = Date.now();
    tokenizer = trainTokenizer(
      train.flatMap((r) => [r.prompt, ...r.responses]),
      t,
    );
    log(
      `[prepare] trained a ${t.kind} tokenizer of ${tokenizer.size} ids on ` +
        `${train.length} train rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }

  // Tokenise: cut prompts, drop rows with a response over budget (counted, never cut silently).
  const tally = new BadRowTally(config.onBadRow);
  const promptLengths: number[] = [],
    responseLengths: number[] = [];
  let promptsTruncated = 0;
  const kept: SourceRow[] = [];
  const t1 = Date.now();
  rows.forEach((r, i) => {
    const responseTokens = r.responses.map((x) => tokenizer.encode(x).length);
    const longest = Math.max(...responseTokens);
    responseLengths.push(...responseTokens);
    if (longest > config.maxResponseTokens) {
      return tally.drop(
        new BadRowError(
          r.at ?? { file: 'data', line: i + 1 },
          'response-too-long',
          'responses',
          `${longest} tokens, over data.maxResponseTokens = ${config.maxResponseTokens}`,
        ),
      );
    }
    const prompt = truncatePrompt(tokenizer, r.prompt, config.maxPromptTokens, config.truncation);
    promptLengths.push(tokenizer.encode(r.prompt).length);
    if (prompt.cut) promptsTruncated++;
    const row = { ...r, prompt: prompt.text };
    splitOf.set(row, splitOf.get(r)!);
    kept.push(row);
    if ((i + 1) % 2000 === 0)
      log(
        `[prepare] tokenised ${i + 1}/${rows.length} rows (${Math.round((i + 1) / ((Date.now() - t1) / 1000))} rows/s)`,
      );
  });
  load!.badRows.dropped = { ...load!.badRows.dropped, ...tally.report.dropped };
  load!.badRows.examples = { ...load!.badRows.examples, ...tally.report.examples };
  load!.rowsKept = kept.length;
  // the same "kept" as the total
  for (const f of load!.files) f.rowsKept = kept.filter((r) => r.at?.file === f.file).length;
  if (config.promptTemplate !== undefined && config.truncation === 'keep-end' && promptsTruncated > 0) {
    log(
      `[prepare] warning: ${promptsTruncated} templated prompts were cut at their start ` +
        `(data.truncation "keep-end"), so the start of data.promptTemplate ` +
        `(its instruction) is partly or wholly gone from them; use "keep-start" or raise data.maxPromptTokens`,
    );
  }
  if (kept.length === 0)
    throw noRowsError(
      load!,
      [],
      `after tokenising (every row has a response over data.maxResponseTokens = ${config.maxResponseTokens})`,
    );

  const inSplit = (s: SplitName) => kept.filter((r) => splitOf.get(r) === s);
  const asPair = (r: SourceRow): PreferencePair => ({
    prompt: r.prompt,
    chosen: r.responses[0],
    rejected: r.responses[r.responses.length - 1],
  });
  const trainRows = inSplit('train');
  const testRows = inSplit('test');
  const evalPrompts = [...new Set(testRows.map((r) => r.prompt))].slice(0, config.evalPrompts);
  return {
    tokenizer,
    sft: trainRows.map((r) => ({ prompt: r.prompt, response: r.responses[0] })),
    preferences: trainRows.map(asPair),
    lists: trainRows.filter((r) => r.responses.length > 2).map((r) => ({ prompt: r.prompt, responses: r.responses })),
    eval: evalPrompts.map((prompt) => ({ prompt })),
    validation: inSplit('validation').map(asPair),
    test: testRows.map(asPair),
    report: {
      load: load!,
      splits: { train: trainRows.length, validation: inSplit('validation').length, test: testRows.length },
      promptsTruncated,
      promptTokens: lengthStats(promptLengths),
      responseTokens: lengthStats(responseLengths),
    },
  };
}

/** The field paths the config makes the parser read, for suggestions when none is found. */
function fieldsRead(config: FileDataConfig): string[] {
  if (config.format === 'hh-rlhf' || config.format === 'tldr') return [];
  const f = { ...SOURCE_FORMATS[config.format].fields, ...config.fields };
  const prompt = config.promptTemplate !== undefined ? templateFields(config.promptTemplate) : [f.prompt];
  if (config.format === 'ranked') return [...prompt, f.responses];
  if (config.label)
    return [
      ...prompt,
      ...config.label.responses,
      ...(typeof config.label.field === 'string' ? [config.label.field] : config.label.field),
    ];
  return [...prompt, f.chosen, f.rejected];
}

function mergeSummaries(a: LoadSummary | undefined, b: LoadSummary): LoadSummary {
  if (!a) return b;
  const dropped = { ...a.badRows.dropped };
  for (const [k, v] of Object.entries(b.badRows.dropped))
    dropped[k as keyof typeof dropped] = (dropped[k as keyof typeof dropped] ?? 0) + (v ?? 0);
  const examples = { ...a.badRows.examples };
  for (const [k, v] of Object.entries(b.badRows.examples))
    examples[k as keyof typeof examples] = [...(examples[k as keyof typeof examples] ?? []), ...(v ?? [])].slice(0, 3);
  return {
    files: [...a.files, ...b.files],
    rowsRead: a.rowsRead + b.rowsRead,
    rowsKept: a.rowsKept + b.rowsKept,
    badRows: { dropped, examples },
    fieldsSeen: a.fieldsSeen.length ? a.fieldsSeen : b.fieldsSeen,
  };
}
