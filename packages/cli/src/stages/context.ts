// What every stage command gets: the validated config, its stage folders and hashes, and a logger.
import { join } from 'node:path';
import type { BackendInfo } from '@spo/engine';
import { stageHashes, type ExperimentConfig } from '../experiment-config.js';
import type { StageDir } from './stage-dir.js';

export interface StageContext {
  config: ExperimentConfig;
  configPath: string;
  runDir: string;
  reportDir: string;
  backend: BackendInfo;
  log: (line: string) => void;
  /** Retrain the stages this command runs even when they are done (`--force`). */
  force?: boolean;
}

export function stageDirs(ctx: StageContext): { data: StageDir; sft: StageDir; rm?: StageDir; method: (name: string) => StageDir; eval: StageDir } {
  const h = stageHashes(ctx.config);
  return {
    data: { dir: join(ctx.runDir, 'data'), hash: h.data },
    sft: { dir: join(ctx.runDir, 'sft'), hash: h.sft },
    rm: h.rm ? { dir: join(ctx.runDir, 'rm'), hash: h.rm } : undefined,
    method: (name) => {
      if (!(name in h.methods)) throw new Error(`no method "${name}" in ${ctx.configPath}; methods: ${Object.keys(h.methods).join(', ')}`);
      return { dir: join(ctx.runDir, name), hash: h.methods[name] };
    },
    eval: { dir: join(ctx.runDir, 'eval'), hash: h.eval },
  };
}
