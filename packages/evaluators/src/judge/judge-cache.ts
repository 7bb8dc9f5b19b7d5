// The judge's disk cache: one JSON file per (template, model, prompt, first answer, second answer),
// written atomically, so a re-run judges only what is new and a killed run loses nothing it finished.
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeJsonAtomic } from '@spo/engine';

export interface CachedJudgment {
  /** 'A' or 'B', or null when the judge gave no readable verdict after its retry. */
  verdict: 'A' | 'B' | null;
  /** The judge's text (the last attempt's). */
  text: string;
  promptTokens: number;
  completionTokens: number;
  requests: number;
}

export interface JudgmentKey {
  template: string;
  model: string;
  prompt: string;
  first: string;
  second: string;
}

export class JudgeCache {
  hits = 0;
  constructor(readonly dir: string) {}

  static keyOf(k: JudgmentKey): string {
    return createHash('sha256')
      .update(JSON.stringify([k.template, k.model, k.prompt, k.first, k.second]))
      .digest('hex');
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CachedJudgment | undefined {
    const path = this.path(key);
    if (!existsSync(path)) return undefined;
    let cached: CachedJudgment;
    try {
      cached = JSON.parse(readFileSync(path, 'utf8')) as CachedJudgment;
    } catch {
      return undefined; // a damaged entry is asked again and overwritten
    }
    this.hits++;
    return cached;
  }

  set(key: string, j: CachedJudgment): void {
    writeJsonAtomic(this.path(key), j);
  }
}
