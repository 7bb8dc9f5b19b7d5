// Data configuration and its defaults (the one place they are declared).
import { z } from 'zod';
import { SOURCE_FORMAT_NAMES } from './sources/source-formats.js';
import { LabelConfigSchema } from './sources/labels.js';

/** How a pretrained model samples the responses of a model-sampled task. */
export const DataSamplingSchema = z
  .object({
    maxNewTokens: z.number().int().positive().default(48),
    temperature: z.number().positive().default(1),
    topP: z.number().gt(0).max(1).default(1),
    /** Prompts per generation batch. */
    batchSize: z.number().int().positive().default(64),
  })
  .strict();

export type DataSampling = z.infer<typeof DataSamplingSchema>;

export const SyntheticDataConfigSchema = z
  .object({
    source: z.literal('synthetic'),
    task: z.enum(['summarization', 'dialogue', 'stories']),
    sftExamples: z.number().int().positive().default(4000),
    preferencePairs: z.number().int().positive().default(2000),
    /** Held-out labelled pairs on which a reward model's accuracy and oracle agreement are measured. */
    validationPairs: z.number().int().nonnegative().default(256),
    /** Ranked lists for list losses (soft-bon, soft-pl); 0 builds none. */
    preferenceLists: z.number().int().nonnegative().default(0),
    /** Responses per ranked list. */
    listSize: z.number().int().min(3).max(16).default(4),
    evalPrompts: z.number().int().positive().default(256),
    labelTemperature: z.number().positive().default(0.25),
    /**
     * For tasks whose responses are a pretrained model's samples (stories): how the model samples
     * them (left out: the defaults).
     */
    sampling: DataSamplingSchema.optional(),
  })
  .strict();

export type SyntheticDataConfig = z.infer<typeof SyntheticDataConfigSchema>;

/** Where the tokenizer comes from for file sources: a local Hugging Face folder, or trained on the data. */
export const TokenizerSourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('pretrained'),
      /** A folder with tokenizer.json (and tokenizer_config.json). */
      path: z.string().min(1),
    })
    .strict(),
  z
    .object({
      kind: z.enum(['bpe', 'word']),
      /** Special tokens (4) included; byte-level BPE needs at least the 256 bytes besides. */
      vocabSize: z.number().int().min(8).default(4096),
      minFrequency: z.number().int().min(1).default(2),
    })
    .strict()
    .refine((t) => t.kind !== 'bpe' || t.vocabSize >= 260, {
      path: ['vocabSize'],
      message: 'byte-level BPE needs vocabSize >= 260 (4 special tokens + 256 bytes)',
    }),
]);

const FieldNamesSchema = z
  .object({
    prompt: z.string(),
    chosen: z.string(),
    rejected: z.string(),
    responses: z.string(),
    scores: z.string(),
    ranks: z.string(),
  })
  .partial()
  .strict();

/** A data file, with the split it is (all of it) when the source splits its files that way. */
const DataFileSchema = z.union([
  z.string().min(1),
  z.object({ path: z.string().min(1), split: z.enum(['train', 'validation', 'test']) }).strict(),
]);

export const FileDataConfigSchema = z
  .object({
    source: z.literal('files'),
    format: z.enum(SOURCE_FORMAT_NAMES),
    /** Paths relative to the directory spo (or nx) runs in. */
    files: z.array(DataFileSchema).min(1),
    /** Field or column names where they differ from the format's (e.g. {"prompt": "question"}). */
    fields: FieldNamesSchema.default({}),
    /**
     * The prompt from several fields, e.g. "{instruction}\n\n{input}" (pairs, csv, ranked): placeholders are
     * field paths; a line whose fields are all empty is left out.
     */
    promptTemplate: z.string().min(1).optional(),
    /** Two-response files with a verdict field instead of chosen/rejected (pairs, csv): see sources/labels.ts. */
    label: LabelConfigSchema.optional(),
    /** CSV only: the delimiter (default: "\t" for .tsv, else detected). */
    delimiter: z.string().length(1).optional(),
    /** Stop at a bad row ("error", naming file, line and field) or drop it and count it by reason ("skip"). */
    onBadRow: z.enum(['error', 'skip']).default('error'),
    /** Keep at most this many rows (over all files, in file order). */
    limit: z.number().int().positive().optional(),
    /** Longest prompt or response in characters; longer is a bad row (too-long). */
    maxChars: z.number().int().positive().default(20000),
    /**
     * How chat messages become prompt text: HH-RLHF's "\n\nHuman: ...\n\nAssistant:" or the tokenizer's chat template.
     */
    chatFormat: z.enum(['hh', 'template']).default('hh'),
    /** Shares of the prompts (grouped, so one prompt never spans two splits) for files without a split of their own. */
    splits: z
      .object({
        validation: z.number().min(0).max(0.5).default(0.05),
        test: z.number().min(0).max(0.5).default(0.1),
      })
      .strict()
      .default({ validation: 0.05, test: 0.1 }),
    tokenizer: TokenizerSourceSchema.default({ kind: 'bpe', vocabSize: 4096, minFrequency: 2 }),
    /** Longer prompts are cut to this many tokens, keeping their end (the latest turns) or their start. */
    maxPromptTokens: z.number().int().positive().default(192),
    truncation: z.enum(['keep-end', 'keep-start']).default('keep-end'),
    /** Responses are never cut: a longer one drops its row, counted as response-too-long. */
    maxResponseTokens: z.number().int().positive().default(128),
    /** Held-out prompts (from the test split) that the policies are sampled on. */
    evalPrompts: z.number().int().positive().default(256),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.promptTemplate !== undefined && !['pairs', 'csv', 'ranked'].includes(c.format)) {
      ctx.addIssue({
        code: 'custom',
        path: ['promptTemplate'],
        message:
          `format "${c.format}" builds its own prompt; ` +
          `promptTemplate works with the pairs, csv and ranked formats`,
      });
    }
    if (c.label !== undefined && !['pairs', 'csv'].includes(c.format)) {
      ctx.addIssue({
        code: 'custom',
        path: ['label'],
        message: `format "${c.format}" has no two-response layout; label works with the pairs and csv formats`,
      });
    }
  });

export const DataConfigSchema = z.discriminatedUnion('source', [SyntheticDataConfigSchema, FileDataConfigSchema]);

export type TokenizerSource = z.infer<typeof TokenizerSourceSchema>;
export type FileDataConfig = z.infer<typeof FileDataConfigSchema>;
export type DataConfig = z.infer<typeof DataConfigSchema>;
