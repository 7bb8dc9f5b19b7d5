// Results a worker process may need again soon, by the hash of everything they depend on: the SFT
// baseline's samples and reward-model scores, which every run of a variant and seed computes from the
// same model, prompts, settings and random stream, so the same values (a worker evaluates a variant's
// runs one after another). Kept in memory only, the last few: nothing on disk to go stale or be damaged.
import { createHash } from 'node:crypto';
import { canonicalJson } from '@spo/engine';

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
    return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
  }

  private keepValue(key: string, value: T): T {
    this.entries.set(key, value);
    if (this.entries.size > this.keep) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
