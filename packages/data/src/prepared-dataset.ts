// A prepared dataset is one folder: tokenizer.json, sft.jsonl, preferences.jsonl (with SPO degree
// variants), eval.jsonl and manifest.json (config, hash, counts, length statistics), written atomically.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, configHash, writeDirAtomic } from '@spo/engine';
import { buildSyntheticDataset } from './synthetic/build-dataset.js';
import { syntheticTask } from './synthetic/tasks.js';
import { degreeVariants } from './degree-variants.js';
import { WordTokenizer } from './word-tokenizer.js';
import type { SyntheticDataConfig } from './config.js';
import type { DegreeVariant, EvalPrompt, PreferencePair, SftExample } from './records.js';

export interface PreferenceWithDegrees extends PreferencePair {
  chosenVariants?: DegreeVariant[];
  rejectedVariants?: DegreeVariant[];
}

export interface PreparedDataset {
  tokenizer: WordTokenizer;
  sft: SftExample[];
  preferences: PreferenceWithDegrees[];
  eval: EvalPrompt[];
  manifest: DatasetManifest;
}

export interface DatasetManifest {
  configHash: string;
  config: SyntheticDataConfig;
  seed: number;
  counts: { sft: number; preferences: number; eval: number };
  degreeLevels: number;
  /** Prompt + response tokens (with bos/eos) over all SFT and preference sequences: max and mean. */
  tokens: { max: number; mean: number };
  /** How many degree-variant pairs of adjacent levels are the same text (too few key phrases to tell apart). */
  indistinctLevels: number;
}

export function prepareSynthetic(config: SyntheticDataConfig, seed: number): PreparedDataset {
  const task = syntheticTask(config.task);
  const data = buildSyntheticDataset(task, config, seed);
  const rng = new Rng(`${seed}/degrees`);
  let indistinct = 0;
  const withVariants = (text: string, index: number, side: string) => {
    const v = degreeVariants(text, config.degrees, rng.fork(`${side}/${index}`));
    for (let k = 1; k < v.length; k++) if (v[k].text === v[k - 1].text) indistinct++;
    return v;
  };
  const { target } = config.degrees;
  const preferences: PreferenceWithDegrees[] = data.preferences.map((p, i) => ({
    ...p,
    chosenVariants: target === 'chosen' || target === 'both' ? withVariants(p.chosen, i, 'chosen') : undefined,
    rejectedVariants: target === 'rejected' || target === 'both' ? withVariants(p.rejected, i, 'rejected') : undefined,
  }));
  const tokenizer = WordTokenizer.fromTexts(task.vocabulary());
  const lengths = [
    ...data.sft.map((e) => tokenizer.encode(e.prompt).length + tokenizer.encode(e.response).length + 2),
    ...data.preferences.flatMap((p) => [p.chosen, p.rejected].map((r) => tokenizer.encode(p.prompt).length + tokenizer.encode(r).length + 2)),
  ];
  const manifest: DatasetManifest = {
    configHash: configHash({ config, seed }),
    config,
    seed,
    counts: { sft: data.sft.length, preferences: preferences.length, eval: data.eval.length },
    degreeLevels: config.degrees.levels,
    tokens: { max: Math.max(...lengths), mean: lengths.reduce((a, b) => a + b, 0) / lengths.length },
    indistinctLevels: indistinct,
  };
  return { tokenizer, sft: data.sft, preferences, eval: data.eval, manifest };
}

const toJsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

export function writePreparedDataset(dir: string, ds: PreparedDataset): void {
  writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, 'tokenizer.json'), JSON.stringify(ds.tokenizer.toJSON()));
    writeFileSync(join(tmp, 'sft.jsonl'), toJsonl(ds.sft));
    writeFileSync(join(tmp, 'preferences.jsonl'), toJsonl(ds.preferences));
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
    eval: readJsonl(join(dir, 'eval.jsonl')),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  };
}
