// degree-confusion.json, what an SPO run leaves about its final model: how often the degree head (or the
// policy's own likelihood) puts each level's variants at each level. Written by the degree term when
// training ends, read back by the experiment's results (the report's degree accuracy and its confusion
// figure): one type, both sides.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from '@spo/engine';
import type { SpoConfig } from './config.js';

export const DEGREE_CONFUSION_FILE = 'degree-confusion.json';

export interface DegreeConfusion {
  head: SpoConfig['head'];
  /** Degree groups (responses with two or more distinct levels) and variants counted. */
  groups: number;
  variants: number;
  /** counts[true level][predicted level] */
  counts: number[][];
  /** null when no response had a degree group. */
  accuracy: number | null;
}

export function writeDegreeConfusion(dir: string, confusion: DegreeConfusion): void {
  writeJsonAtomic(join(dir, DEGREE_CONFUSION_FILE), confusion);
}

/**
 * The confusion an SPO run left in `dir`, or undefined for a run without SPO; `advice` goes with a
 * damaged file's error.
 */
export function readDegreeConfusion(dir: string, advice: string): DegreeConfusion | undefined {
  const path = join(dir, DEGREE_CONFUSION_FILE);
  return existsSync(path) ? readJsonFile<DegreeConfusion>(path, advice) : undefined;
}
