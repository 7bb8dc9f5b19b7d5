// A prepared dataset is one folder: tokenizer.json, sft.jsonl, preferences.jsonl, lists.jsonl (ranked
// lists), eval.jsonl and manifest.json (config, hash, counts, length statistics), written atomically.
// SPO's degree variants are a method's setting, so the trainer builds them (buildDegreeVariantSet).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { configHash, writeDirAtomic } from '@spo/engine';
import { buildSyntheticDataset } from './synthetic/build-dataset.js';
import { syntheticTask } from './synthetic/tasks.js';
import { WordTokenizer } from './word-tokenizer.js';
import type { SyntheticDataConfig } from './config.js';
import type { EvalPrompt, PreferenceList, PreferencePair, SftExample } from './records.js';

export interface PreparedDataset {
  tokenizer: WordTokenizer;
  sft: SftExample[];
  preferences: PreferencePair[];
  lists: PreferenceList[];
  eval: EvalPrompt[];
  manifest: DatasetManifest;
}

export interface DatasetManifest {
  configHash: string;
  config: SyntheticDataConfig;
  seed: number;
  counts: { sft: number; preferences: number; lists: number; eval: number };
  /** Prompt + response tokens (with bos/eos) over all SFT and preference sequences: max and mean. */
  tokens: { max: number; mean: number };
}

export function prepareSynthetic(config: SyntheticDataConfig, seed: number): PreparedDataset {
  const task = syntheticTask(config.task);
  const data = buildSyntheticDataset(task, config, seed);
  const tokenizer = WordTokenizer.fromTexts(task.vocabulary());
  const lengths = [
    ...data.sft.map((e) => tokenizer.encode(e.prompt).length + tokenizer.encode(e.response).length + 2),
    ...data.preferences.flatMap((p) => [p.chosen, p.rejected].map((r) => tokenizer.encode(p.prompt).length + tokenizer.encode(r).length + 2)),
    ...data.lists.flatMap((l) => l.responses.map((r) => tokenizer.encode(l.prompt).length + tokenizer.encode(r).length + 2)),
  ];
  const manifest: DatasetManifest = {
    configHash: configHash({ config, seed }),
    config,
    seed,
    counts: { sft: data.sft.length, preferences: data.preferences.length, lists: data.lists.length, eval: data.eval.length },
    tokens: { max: Math.max(...lengths), mean: lengths.reduce((a, b) => a + b, 0) / lengths.length },
  };
  return { tokenizer, sft: data.sft, preferences: data.preferences, lists: data.lists, eval: data.eval, manifest };
}

const toJsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

export function writePreparedDataset(dir: string, ds: PreparedDataset): void {
  writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, 'tokenizer.json'), JSON.stringify(ds.tokenizer.toJSON()));
    writeFileSync(join(tmp, 'sft.jsonl'), toJsonl(ds.sft));
    writeFileSync(join(tmp, 'preferences.jsonl'), toJsonl(ds.preferences));
    writeFileSync(join(tmp, 'lists.jsonl'), toJsonl(ds.lists));
    writeFileSync(join(tmp, 'eval.jsonl'), toJsonl(ds.eval));
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(ds.manifest, null, 2)}\n`);
  });
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line, i) => {
    try {
      return JSON.parse(line) as T;
    } catch (error) {
      throw new Error(`${path}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
  });
}

export function readPreparedDataset(dir: string): PreparedDataset {
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} is not a prepared dataset (no manifest.json); run the data stage first`);
  return {
    tokenizer: WordTokenizer.fromJSON(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), join(dir, 'tokenizer.json')),
    sft: readJsonl(join(dir, 'sft.jsonl')),
    preferences: readJsonl(join(dir, 'preferences.jsonl')),
    lists: readJsonl(join(dir, 'lists.jsonl')),
    eval: readJsonl(join(dir, 'eval.jsonl')),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  };
}
