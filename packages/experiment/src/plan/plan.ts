// An experiment's plan: every data variant (a point of the data grid, and under seedScope
// "everything" a seed) with its data, SFT and reward-model stages, and every run (a method at a point
// of its grid, on a data variant, with a seed) with its training and eval stages; each stage with its
// folder and the hash of everything its numbers depend on. Runs whose settings come out the same (the
// default value listed in two one-factor sweeps) are trained once: the later ones are aliases.
import { join } from 'node:path';
import { configHash } from '@spo/engine';
import { DataConfigSchema, FILE_LOADER_VERSION, type DataConfig } from '@spo/data';
import type { MethodConfig } from '@spo/trainer';
import { isPretrained, type ModelSection } from '@spo/model';
import { evalNumericsOf, numericsOf, sourceFingerprints, type ExperimentConfig } from './experiment-config.js';
import { gridPoints, pointLabel, setAtPath } from './grid.js';
import { pretrainedDataKey } from './pretrained-key.js';
import { tunedMethod } from './tuned.js';

export type SettingValue = string | number | boolean;

export interface Variant {
  /** Folder name under the run folder; "" when the experiment has a single variant. */
  id: string;
  /** How tables name it: its grid values ("task=dialogue"), or "default". */
  label: string;
  /** The data-grid sweep the variant is a point of ("" without a data grid). */
  sweep: string;
  /** Data-grid values, by full path ("data.labelTemperature"). */
  settings: Record<string, SettingValue>;
  data: DataConfig;
  /** Seed of the data, SFT model and reward model. */
  seed: number;
  dirs: { data: string; sft: string; rm?: string };
  hashes: { data: string; sft: string; rm?: string };
  /** The id of an earlier variant with the same data and seed, whose stages this one uses. */
  sameAs?: string;
}

export interface RunPlan {
  /**
   * "dpo-spo.lambda=0.5.seed=3": method, its grid values, the seed; prefixed by the data variant's
   * label when there are several.
   */
  name: string;
  /** The method's name in the config. */
  methodName: string;
  method: MethodConfig;
  /** The method-grid sweep the run is a point of ("" without one). */
  sweep: string;
  /** Method-grid values, by path ("spo.lambda"). */
  settings: Record<string, SettingValue>;
  variant: Variant;
  seed: number;
  dir: string;
  hashes: { train: string; eval: string };
  /** The name of the earlier run with the same settings, whose training and eval this one reuses. */
  sameAs?: string;
}

export interface ExperimentPlan {
  config: ExperimentConfig;
  runDir: string;
  variants: Variant[];
  runs: RunPlan[];
}

/**
 * @param numerics what the numbers are computed on ("wasm/native-blas"): part of every hash from the
 * SFT stage down, since another backend or matmul path gives other numbers.
 */
/**
 * The model section as the numbers see it: a pretrained folder by its files' sha256 (in the data hash,
 * upstream of every stage), not by its path, so fetching it elsewhere or moving it reruns nothing.
 */
export function modelKey(model: ModelSection): unknown {
  return isPretrained(model) ? { ...model, from: 'pretrained folder (its files are in the data hash)' } : model;
}

export function planExperiment(config: ExperimentConfig, runDir: string, numerics: string): ExperimentPlan {
  const perSeed = config.seedScope === 'everything';
  const dataPoints = gridPoints(config.grid);
  const variantSeeds = perSeed ? config.seeds : [config.seed];
  const several = dataPoints.length * variantSeeds.length > 1;

  const variants: Variant[] = [];
  const byDataHash = new Map<string, Variant>();
  for (const point of dataPoints) {
    for (const seed of variantSeeds) {
      let data: unknown = config.data;
      for (const [path, value] of Object.entries(point.values))
        data = setAtPath(data, path.slice('data.'.length), value);
      const parsed = DataConfigSchema.parse(data);
      const label = pointLabel(point.values) || 'default';
      const id = several
        ? [pointLabel(point.values), perSeed && config.seeds.length > 1 ? `seed=${seed}` : '']
            .filter(Boolean)
            .join('.') || 'default'
        : '';
      const pretrained = pretrainedDataKey(config.model, parsed, numerics);
      const loader = parsed.source === 'files' ? { loader: FILE_LOADER_VERSION } : {};
      const dataHash = configHash({
        data: parsed,
        seed,
        sources: sourceFingerprints(parsed),
        ...loader,
        ...(pretrained ? { pretrained } : {}),
      });
      const same = byDataHash.get(dataHash);
      if (same) {
        variants.push({ ...same, id, label, sweep: point.sweep, settings: point.values, sameAs: same.id });
        continue;
      }
      const root = id ? join(runDir, id) : runDir;
      const sft = configHash({
        data: dataHash,
        model: modelKey(config.model),
        sft: numericsOf(config.sft),
        seed,
        numerics,
      });
      const rm = config.rewardModel ? configHash({ sft, rewardModel: numericsOf(config.rewardModel) }) : undefined;
      const variant: Variant = {
        id,
        label,
        sweep: point.sweep,
        settings: point.values,
        data: parsed,
        seed,
        dirs: { data: join(root, 'data'), sft: join(root, 'sft'), ...(rm ? { rm: join(root, 'rm') } : {}) },
        hashes: { data: dataHash, sft, ...(rm ? { rm } : {}) },
      };
      variants.push(variant);
      byDataHash.set(dataHash, variant);
    }
  }

  const runs: RunPlan[] = [];
  const byTrainHash = new Map<string, RunPlan>();
  for (const listed of variants) {
    const variant = listed.sameAs !== undefined ? variants.find((v) => v.id === listed.sameAs)! : listed;
    for (const m of config.methods) {
      for (const { method: listedMethod, ...point } of m.points) {
        const method = tunedMethod(config.tuned, listedMethod, variant.data, m.name);
        for (const seed of perSeed ? [listed.seed] : config.seeds) {
          const name = [
            several ? listed.label : '',
            m.name,
            pointLabel(point.values),
            config.seeds.length > 1 ? `seed=${seed}` : '',
          ]
            .filter(Boolean)
            .join('.');
          const { name: _, ...settingsOnly } = method;
          const train = configHash({
            sft: variant.hashes.sft,
            preference: numericsOf(config.preference),
            method: settingsOnly,
            seed,
          });
          const evalHash = configHash({ train, rm: variant.hashes.rm, eval: evalNumericsOf(config.eval), seed });
          const same = byTrainHash.get(train);
          const run: RunPlan = {
            name,
            methodName: m.name,
            method,
            sweep: point.sweep,
            settings: point.values,
            variant: {
              ...variant,
              ...(listed !== variant ? { label: listed.label, settings: listed.settings, sweep: listed.sweep } : {}),
            },
            seed,
            dir: same ? same.dir : join(runDir, name),
            hashes: { train, eval: evalHash },
            ...(same ? { sameAs: same.name } : {}),
          };
          runs.push(run);
          if (!same) byTrainHash.set(train, run);
        }
      }
    }
  }
  const names = new Set<string>();
  for (const r of runs) {
    if (names.has(r.name)) throw new Error(`two runs are named "${r.name}": give the methods distinct names`);
    names.add(r.name);
  }
  return { config, runDir, variants, runs };
}

/** The variants whose stages run (not aliases of another). */
export const ownVariants = (p: ExperimentPlan) => p.variants.filter((v) => v.sameAs === undefined);
/** The runs that train (not aliases of another). */
export const ownRuns = (p: ExperimentPlan) => p.runs.filter((r) => r.sameAs === undefined);

export function findRun(p: ExperimentPlan, name: string): RunPlan {
  const run = p.runs.find((r) => r.name === name);
  if (!run)
    throw new Error(
      `no run "${name}" in ${p.config.name}; runs: ${p.runs
        .map((r) => r.name)
        .slice(0, 20)
        .join(', ')}${p.runs.length > 20 ? ', ...' : ''} (spo plan lists them all)`,
    );
  return run;
}

export function findVariant(p: ExperimentPlan, id: string | undefined): Variant[] {
  if (id === undefined) return ownVariants(p);
  const v = p.variants.find((x) => x.id === id);
  if (!v)
    throw new Error(
      `no data variant "${id}" in ${p.config.name}; variants: ` +
        `${p.variants.map((x) => x.id || '(the only one)').join(', ')}`,
    );
  return [v.sameAs !== undefined ? p.variants.find((x) => x.id === v.sameAs)! : v];
}
