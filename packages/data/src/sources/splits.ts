// Train / validation / test splits for sources that have none: each prompt is hashed with the seed, so
// every comparison of one prompt lands in the same split, and the split does not depend on file order.
import { createHash } from 'node:crypto';

export type SplitName = 'train' | 'validation' | 'test';

export function seededSplit(prompt: string, seed: number, shares: { validation: number; test: number }): SplitName {
  const u = createHash('sha256').update(`${seed}\u0000${prompt}`).digest().readUInt32BE(0) / 2 ** 32;
  if (u < shares.test) return 'test';
  if (u < shares.test + shares.validation) return 'validation';
  return 'train';
}
