// The reference log-probs a run caches in its folder, and the ones its process keeps for the next run of
// the same pairs: taken only for the same reference weights and sequences, and equal to computing them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { initCausalLM } from '@spo/model';
import { encodeSequence, prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { referenceLogProbs } from './reference-cache.js';

await initBackend(undefined, () => {});
const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({ source: 'synthetic', task: 'summarization', sftExamples: 8, preferencePairs: 12 }),
  1,
);
const shape = { vocabSize: ds.tokenizer.size, maxPositions: 64, dModel: 16, nLayers: 1, nHeads: 2, layerNormEps: 1e-5 };
const sequences = ds.preferences.map((p) =>
  [p.chosen, p.rejected].map((r) => encodeSequence(ds.tokenizer, p.prompt, r, 64)),
);

test("a second run of the same pairs and reference takes its process's values; another reference is computed", () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const run = (seed: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'reference-'));
    const reference = initCausalLM(shape, seed);
    const logps = referenceLogProbs(dir, reference, ds.tokenizer.padId, sequences, undefined, log);
    reference.dispose();
    return { logps, file: readFileSync(join(dir, 'reference-logps.json'), 'utf8') };
  };
  const first = run(7);
  assert.equal(lines.length, 0);
  const second = run(7);
  assert.match(lines.join('\n'), /computed for an earlier run of these pairs/);
  assert.equal(second.file, first.file, 'the second run folder holds the same cache');
  lines.length = 0;
  const other = run(8);
  assert.equal(lines.length, 0, 'another reference model is scored, not taken');
  assert.notDeepEqual(other.logps.responses, first.logps.responses);
  assert.ok(first.logps.responses.flat().every((x) => Number.isFinite(x) && x < 0));
});
