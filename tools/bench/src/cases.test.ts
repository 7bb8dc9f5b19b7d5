// The bench times the trainer's own step: one run of its SFT, DPO and DPO+SPO cases gives the loss
// and the parameters (so the gradients) of the trainer's first step on the same data, seed and batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { initCausalLM, type CausalLM } from '@spo/model';
import { pairAsList } from '@spo/data';
import { readMetrics, resolveMethod, trainPreference, trainSft } from '@spo/trainer';
import { benchCases, benchData, benchTrainConfig, modelConfigFor, type BenchSize } from './cases.js';

await initBackend(undefined, () => {});
const size: BenchSize = { name: 'test', dModel: 32, nLayers: 1, nHeads: 2, batch: 8 };
const ds = benchData();
const values = (m: CausalLM) => [...m.params.values()].map((v) => Array.from(v.dataSync()));

for (const [caseName, method] of [
  ['sft-step', undefined],
  ['dpo-step', { name: 'dpo', loss: 'dpo', params: { beta: 0.1 } }],
  ['dpo-spo-step (K=4)', { name: 'dpo-spo', loss: 'dpo', params: { beta: 0.1 }, spo: { lambda: 0.1, degrees: 4 } }],
] as const) {
  test(`bench ${caseName}: the trainer's first step, the same loss and the same updated parameters`, () => {
    const { model, cases } = benchCases(size, 4, ds);
    const c = cases.find((x) => x.name === caseName)!;
    const fresh = initCausalLM(modelConfigFor(size, ds.tokenizer.size), 1);
    assert.deepEqual(
      values(fresh),
      values(model),
      'the bench model is the seed-1 model (recording the shapes left it as it was)',
    );
    c.run();
    const dir = mkdtempSync(join(tmpdir(), 'bench-vs-trainer-'));
    const config = benchTrainConfig(size);
    if (method === undefined) {
      trainSft({
        model: fresh,
        tokenizer: ds.tokenizer,
        examples: ds.sft,
        config,
        seed: 1,
        dir,
        stopAfter: 1,
        log: () => {},
      });
    } else {
      const reference = fresh.clone(false);
      trainPreference({
        policy: fresh,
        reference,
        tokenizer: ds.tokenizer,
        examples: ds.preferences.map(pairAsList),
        method: resolveMethod(method, 'test'),
        config,
        seed: 1,
        dir,
        stopAfter: 1,
        log: () => {},
      });
    }
    assert.equal(c.lastLoss, readMetrics(join(dir, 'metrics.jsonl'))[0].loss, 'loss');
    assert.deepEqual(values(model), values(fresh), 'parameters after one step');
    cases.forEach((x) => x.dispose());
  });
}
