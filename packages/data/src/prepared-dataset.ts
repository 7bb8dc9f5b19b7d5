// A prepared dataset is one folder: the tokenizer's files, sft.jsonl, preferences.jsonl, lists.jsonl
// (ranked lists), eval.jsonl (held-out prompts), validation.jsonl and test.jsonl (held-out pairs) and
// manifest.json (config, hash, counts, lengths, and for file sources what was read and dropped).
// `prepareDataset` keeps one per (config, seed, source file digests) in a cache folder, written
// atomically, so a second call with the same inputs returns at once.
// SPO's degree variants are a method's setting, so the trainer builds them (buildDegreeVariantSet).
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { missingDataFile } from './fetch/public-artifacts.js';
import { FILE_LOADER_VERSION } from './sources/load-source-files.js';
import { checksumProblems, configHash, readJsonFile, writeChecksums, writeDirAtomic } from '@spo/engine';
import { buildSyntheticDataset } from './synthetic/build-dataset.js';
import { buildSampledDataset } from './synthetic/sampled-dataset.js';
import type { ResponseSampler } from './synthetic/task.js';
import { syntheticTask } from './synthetic/tasks.js';
import { WordTokenizer } from './word-tokenizer.js';
import { loadTokenizer, type TextTokenizer } from './tokenizer.js';
import { prepareFromFiles, type PrepareReport } from './sources/prepare-files.js';
import type { DataConfig, SyntheticDataConfig } from './config.js';
import type { EvalPrompt, PreferenceList, PreferencePair, SftExample } from './records.js';

export interface PreparedDataset {
  tokenizer: TextTokenizer;
  sft: SftExample[];
  /** Training pairs (for a ranked list: its best and worst response). */
  preferences: PreferencePair[];
  lists: PreferenceList[];
  eval: EvalPrompt[];
  /** Held-out pairs (file sources; the synthetic tasks score held-out samples with their oracle instead). */
  validation: PreferencePair[];
  test: PreferencePair[];
  manifest: DatasetManifest;
}

export interface DatasetManifest {
  configHash: string;
  config: DataConfig;
  seed: number;
  /** The source files and their sha256, part of the cache key. */
  sources: { path: string; sha256: string }[];
  counts: { sft: number; preferences: number; lists: number; eval: number; validation: number; test: number };
  /** Prompt + response tokens (with bos/eos) over all SFT and preference sequences: max and mean. */
  tokens: { max: number; mean: number };
  /** File sources: rows read, kept and dropped by reason, splits, truncation, length percentiles. */
  report?: PrepareReport;
}

/** A pretrained model the data is prepared for: its tokenizer is the data's, and it may write the responses. */
export interface PretrainedSource {
  /** The model folder (Hugging Face or llama2.c). */
  dir: string;
  /** What the prepared data depends on besides the data config: the model's file digests, the sampler's settings. */
  key: unknown;
  /** The model's samples, for tasks whose responses are the model's own. */
  sample?: ResponseSampler;
}

export function prepareSynthetic(
  config: SyntheticDataConfig,
  seed: number,
  pretrained?: PretrainedSource,
): PreparedDataset {
  const task = syntheticTask(config.task);
  if (task.responses === 'model') {
    if (!pretrained?.sample)
      throw new Error(
        `data.task "${task.name}": its responses are a pretrained model's samples; ` +
          `set model.from to that model's folder`,
      );
    const data = buildSampledDataset(task, config, seed, pretrained.sample);
    return assemble(config, seed, [], loadTokenizer(pretrained.dir), { ...data, test: [] });
  }
  const data = buildSyntheticDataset(task, config, seed);
  const tokenizer = pretrained ? loadTokenizer(pretrained.dir) : WordTokenizer.fromTexts(task.vocabulary());
  return assemble(config, seed, [], tokenizer, { ...data, test: [] });
}

/** The prepared dataset for a config: from the cache when its inputs are unchanged, else built and cached. */
export async function prepareDataset(
  config: DataConfig,
  seed: number,
  cacheDir: string,
  log: (line: string) => void,
  pretrained?: PretrainedSource,
): Promise<{ dir: string; dataset: PreparedDataset; cached: boolean }> {
  const sources =
    config.source === 'files'
      ? await Promise.all(config.files.map((f) => fileDigest(typeof f === 'string' ? f : f.path)))
      : [];
  const loader = config.source === 'files' ? { loader: FILE_LOADER_VERSION } : {};
  const key = pretrained
    ? { config, seed, sources, ...loader, pretrained: pretrained.key }
    : { config, seed, sources, ...loader };
  const dir = join(cacheDir, configHash(key));
  if (existsSync(join(dir, 'manifest.json'))) {
    const problems = checksumProblems(dir);
    if (!problems.length) return { dir, dataset: readPreparedDataset(dir), cached: true };
    log(`[prepare] the cached dataset ${dir} is damaged (${problems.join('; ')}); preparing it again`);
  }
  let dataset: PreparedDataset;
  if (config.source === 'synthetic') dataset = prepareSynthetic(config, seed, pretrained);
  else {
    const parts = await prepareFromFiles(config, seed, log);
    dataset = assemble(config, seed, sources, parts.tokenizer, parts, parts.report);
  }
  writePreparedDataset(dir, dataset);
  return { dir, dataset, cached: false };
}

function assemble(
  config: DataConfig,
  seed: number,
  sources: DatasetManifest['sources'],
  tokenizer: TextTokenizer,
  d: Pick<PreparedDataset, 'sft' | 'preferences' | 'lists' | 'eval' | 'validation' | 'test'>,
  report?: PrepareReport,
): PreparedDataset {
  const promptTokens = new Map<string, number>();
  const count = (p: string, r: string) => {
    if (!promptTokens.has(p)) promptTokens.set(p, tokenizer.encode(p).length);
    return promptTokens.get(p)! + tokenizer.encode(r).length + 2;
  };
  const lengths = [
    ...d.sft.map((e) => count(e.prompt, e.response)),
    ...d.preferences.flatMap((p) => [count(p.prompt, p.chosen), count(p.prompt, p.rejected)]),
    ...d.lists.flatMap((l) => l.responses.map((r) => count(l.prompt, r))),
  ];
  const manifest: DatasetManifest = {
    configHash: configHash({
      config,
      seed,
      sources,
      ...(config.source === 'files' ? { loader: FILE_LOADER_VERSION } : {}),
    }),
    config,
    seed,
    sources,
    counts: {
      sft: d.sft.length,
      preferences: d.preferences.length,
      lists: d.lists.length,
      eval: d.eval.length,
      validation: d.validation.length,
      test: d.test.length,
    },
    tokens: {
      max: lengths.reduce((a, b) => Math.max(a, b), 0),
      mean: lengths.reduce((a, b) => a + b, 0) / Math.max(lengths.length, 1),
    },
    ...(report ? { report } : {}),
  };
  return { tokenizer, ...d, manifest };
}

async function fileDigest(path: string): Promise<{ path: string; sha256: string }> {
  if (!existsSync(path)) throw missingDataFile(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path, sha256: hash.digest('hex') };
}

const toJsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

export function writePreparedDataset(dir: string, ds: PreparedDataset): void {
  writeDirAtomic(dir, (tmp) => {
    for (const [name, json] of Object.entries(ds.tokenizer.files()))
      writeFileSync(join(tmp, name), JSON.stringify(json));
    for (const part of ['sft', 'preferences', 'lists', 'eval', 'validation', 'test'] as const)
      writeFileSync(join(tmp, `${part}.jsonl`), toJsonl(ds[part]));
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(ds.manifest, null, 2)}\n`);
    writeChecksums(tmp);
  });
}

function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch (error) {
        throw new Error(`${path}:${i + 1}: not valid JSON (${(error as Error).message})`);
      }
    });
}

export function readPreparedDataset(dir: string): PreparedDataset {
  if (!existsSync(join(dir, 'manifest.json')))
    throw new Error(`${dir} is not a prepared dataset (no manifest.json); run the data stage first`);
  const problems = checksumProblems(dir);
  if (problems.length)
    throw new Error(
      `the prepared dataset ${dir} is damaged: ${problems.join('; ')}; run the data stage again with --force`,
    );
  return {
    tokenizer: loadTokenizer(dir),
    sft: readJsonl(join(dir, 'sft.jsonl')),
    preferences: readJsonl(join(dir, 'preferences.jsonl')),
    lists: readJsonl(join(dir, 'lists.jsonl')),
    eval: readJsonl(join(dir, 'eval.jsonl')),
    validation: readJsonl(join(dir, 'validation.jsonl')),
    test: readJsonl(join(dir, 'test.jsonl')),
    manifest: readJsonFile(join(dir, 'manifest.json'), 'run the data stage again with --force'),
  };
}
