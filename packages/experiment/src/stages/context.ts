// What every stage command gets: the validated config, its plan (every data variant and run with its
// folders and hashes), the backend, and a logger.
import type { BackendInfo } from '@spo/engine';
import type { ExperimentConfig } from '../plan/experiment-config.js';
import type { ExperimentPlan } from '../plan/plan.js';

export interface StageContext {
  config: ExperimentConfig;
  configPath: string;
  plan: ExperimentPlan;
  reportDir: string;
  /**
   * The reports root whose index.html and assets/ the page joins (reports/ when the report goes to its
   * default reports/<experiment>); unset for a --report-dir the user named, whose page then carries
   * its own scripts and nothing is written beside that folder.
   */
  siteRoot?: string;
  backend: BackendInfo;
  log: (line: string) => void;
  /** Retrain the stages this command runs even when they are done (`--force`). */
  force?: boolean;
}

/**
 * What the numbers are computed on: the backend and, on wasm, whether matrix products go to a native BLAS,
 * which kernel set it runs, and whether it runs one thread: each kernel set, and one thread against
 * several, rounds some products its own way; whether the fused kernels run, which round theirs; and
 * whether response passes pack several responses in a row, which shapes (so rounds) them differently
 * ("wasm/native-blas-haswell", "wasm/native-blas-skylakex-1thread", "wasm/native-blas-haswell-fused",
 * "wasm/native-blas-haswell-fused-packed").
 */
export function numericsPath(backend: BackendInfo): string {
  const suffix = `${backend.fused ? '-fused' : ''}${backend.packedResponses ? '-packed' : ''}`;
  if (!backend.blas) return `${backend.name}/backend-matmul${suffix}`;
  const { core, threads } = backend.blas;
  const kernels = core ? `-${core.toLowerCase()}` : '';
  return `${backend.name}/native-blas${kernels}${threads === 1 ? '-1thread' : ''}${suffix}`;
}
