// Results a process may need again soon, by the hash of everything they depend on: values every run of
// a data variant computes from the same model and inputs, and so the same values (a worker process runs
// a variant's runs one after another): the reference model's log-probs of the preference set, the SFT
// baseline's eval samples and reward-model scores. Kept in memory only, the last few: nothing on disk to
// go stale or be damaged. Each is kept under the numerics it was computed with (backend, matmul, fused
// setting, response packing) as well as its inputs: a process that switches them (tests, the bench)
// computes again.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { canonicalJson } from './config-hash.js';
import { nativeMatMulOn } from './native-matmul.js';
import { fusedSetting } from './fused-kernels.js';
import { packedResponsesOn } from './response-packing.js';

export class RecentResults<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly keep = 4) {}

  /** The value for `inputs` (any JSON), and whether it was kept; computed and kept when it was not. */
  get(inputs: unknown, compute: () => T): { value: T; kept: boolean } {
    const key = RecentResults.key(inputs);
    const kept = this.entries.get(key);
    if (kept !== undefined) return { value: kept, kept: true };
    return { value: this.keepValue(key, compute()), kept: false };
  }

  /** As get, for a value computed asynchronously (kept once it has been computed). */
  async getAsync(inputs: unknown, compute: () => Promise<T>): Promise<{ value: T; kept: boolean }> {
    const key = RecentResults.key(inputs);
    const kept = this.entries.get(key);
    if (kept !== undefined) return { value: kept, kept: true };
    return { value: this.keepValue(key, await compute()), kept: false };
  }

  private static key(inputs: unknown): string {
    const numerics = {
      backend: tf.getBackend(),
      nativeMatMul: nativeMatMulOn(),
      fused: fusedSetting(),
      packedResponses: packedResponsesOn(),
    };
    return createHash('sha256').update(canonicalJson({ numerics, inputs })).digest('hex');
  }

  private keepValue(key: string, value: T): T {
    this.entries.set(key, value);
    if (this.entries.size > this.keep) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
