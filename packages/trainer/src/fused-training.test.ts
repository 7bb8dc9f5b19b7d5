// Training on the fused path's two settings: "on" (whole GPT-2 blocks and the optimiser step fused) and
// "ops" (each op fused alone, as every committed report was made) must give the same weights and the
// same metrics.jsonl, bit for bit, for SFT and for DPO+SPO with gradient accumulation: the numbers a
// run reports do not depend on how many kernels computed them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, fusedBlocksOn, withFusedKernels, type FusedSetting } from '@spo/engine';
import { initCausalLM, type CausalLM } from '@spo/model';
import { pairAsList, prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { TrainConfigSchema, trainSft, trainPreference, resolveMethod } from './index.js';

await initBackend(undefined, () => {});
const skip = fusedBlocksOn() ? false : 'the fused GPT-2 blocks do not run here (see [engine] ops: above)';
if (skip) console.error(`[fused-training.test] skipped: ${skip}`);

const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    source: 'synthetic',
    task: 'summarization',
    sftExamples: 48,
    preferencePairs: 32,
    evalPrompts: 4,
  }),
  1,
);
const shape = { vocabSize: ds.tokenizer.size, maxPositions: 64, dModel: 32, nLayers: 2, nHeads: 4, layerNormEps: 1e-5 };
const weights = (m: CausalLM) => [...m.params.entries()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);

function sftRun(setting: FusedSetting) {
  const model = initCausalLM(shape, 21);
  const dir = mkdtempSync(join(tmpdir(), 'fused-sft-'));
  withFusedKernels(setting, () =>
    trainSft({
      model,
      tokenizer: ds.tokenizer,
      examples: ds.sft,
      config: TrainConfigSchema.parse({ steps: 6, batchSize: 8, lr: 3e-3, warmupSteps: 2 }),
      seed: 2,
      dir,
      log: () => {},
    }),
  );
  return { weights: weights(model), metrics: readFileSync(join(dir, 'metrics.jsonl'), 'utf8') };
}

function dpoSpoRun(setting: FusedSetting) {
  const policy = initCausalLM(shape, 22),
    reference = policy.clone(false);
  const dir = mkdtempSync(join(tmpdir(), 'fused-dpo-'));
  withFusedKernels(setting, () =>
    trainPreference({
      policy,
      reference,
      tokenizer: ds.tokenizer,
      examples: ds.preferences.map(pairAsList),
      method: resolveMethod({ name: 'dpo-spo', loss: 'dpo', spo: { lambda: 0.5 } }, 'method'),
      config: TrainConfigSchema.parse({ steps: 4, batchSize: 4, gradAccumulation: 2, lr: 3e-3, warmupSteps: 1 }),
      seed: 3,
      dir,
      log: () => {},
    }),
  );
  return { weights: weights(policy), metrics: readFileSync(join(dir, 'metrics.jsonl'), 'utf8') };
}

for (const [name, run] of [
  ['SFT', sftRun],
  ['DPO+SPO with gradient accumulation', dpoSpoRun],
] as const) {
  test(`${name}: fused blocks and optimiser give the per-op fused path's weights and metrics exactly`, { skip }, () => {
    const fused = run('on'),
      ops = run('ops');
    assert.equal(fused.metrics, ops.metrics);
    fused.weights.forEach(([param, values], i) => assert.deepEqual(values, ops.weights[i][1], param));
    const start = weights(initCausalLM(shape, name === 'SFT' ? 21 : 22));
    assert.ok(
      fused.weights.every(([, values], i) => values.some((x, j) => x !== start[i][1][j])),
      'every parameter trained',
    );
  });
}
