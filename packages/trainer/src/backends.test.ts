// The trainer's work on every accelerated backend this machine can run, against wasm: a full SFT
// step, a full DPO+SPO step (the trainer's own loops: forward, loss terms, gradients, clipping, AdamW,
// checkpoint) and KV-cache generation, for the from-scratch GPT-2 and a Llama. webgpu runs where Dawn
// finds an adapter (a GPU, or Mesa ≥ 23's lavapipe on the CPU) and is skipped, saying why, elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend, switchBackend, webGpuAdapter, describeAdapter } from '@spo/engine';
import { initCausalLM, generate, type CausalLM, type ModelConfig } from '@spo/model';
import { pairAsList, prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { TrainConfigSchema, trainSft, trainPreference, resolveMethod, readMetrics } from './index.js';

await initBackend('wasm', () => {});
const webgpu = await switchBackend('webgpu');
await switchBackend('wasm');
const skip = webgpu ? `skipped: the webgpu backend is not available here (${webgpu})` : false;
const on = webGpuAdapter() ? ` (on ${describeAdapter(webGpuAdapter()!)})` : '';

const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    source: 'synthetic',
    task: 'summarization',
    sftExamples: 32,
    preferencePairs: 16,
    evalPrompts: 4,
  }),
  1,
);
const gpt2: ModelConfig = {
  vocabSize: ds.tokenizer.size,
  maxPositions: 64,
  dModel: 32,
  nLayers: 2,
  nHeads: 4,
  layerNormEps: 1e-5,
};
const llama: ModelConfig = {
  architecture: 'llama',
  vocabSize: ds.tokenizer.size,
  maxPositions: 64,
  dModel: 32,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  intermediateSize: 48,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: false,
  attentionBias: false,
};
const config = TrainConfigSchema.parse({ steps: 2, batchSize: 4, lr: 1e-2, warmupSteps: 1, checkpointEvery: 1 });

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++)
    m = Math.max(m, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  return m;
}

interface Outcome {
  params: Float32Array[];
  losses: number[];
}

function outcome(model: CausalLM, dir: string): Outcome {
  return {
    params: [...model.params.values()].map((v) => v.dataSync().slice() as Float32Array),
    losses: readMetrics(join(dir, 'metrics.jsonl')).map((r) => r.loss),
  };
}

function sftStep(shape: ModelConfig): Outcome {
  const model = initCausalLM(shape, 1),
    dir = mkdtempSync(join(tmpdir(), 'backends-'));
  trainSft({ model, tokenizer: ds.tokenizer, examples: ds.sft, config, seed: 1, dir, log: () => {} });
  const out = outcome(model, dir);
  model.dispose();
  return out;
}

function dpoSpoStep(shape: ModelConfig): Outcome {
  const policy = initCausalLM(shape, 1),
    reference = policy.clone(false),
    dir = mkdtempSync(join(tmpdir(), 'backends-'));
  const method = resolveMethod({ name: 'dpo-spo', loss: 'dpo', spo: { lambda: 0.5, degrees: 3 } }, 'method');
  trainPreference({
    policy,
    reference,
    tokenizer: ds.tokenizer,
    examples: ds.preferences.map(pairAsList),
    klPrompts: [],
    method,
    config,
    seed: 1,
    dir,
    log: () => {},
  });
  const out = outcome(policy, dir);
  policy.dispose();
  reference.dispose();
  return out;
}

function greedy(shape: ModelConfig): { tokens: number[][]; logits: Float32Array } {
  const model = initCausalLM(shape, 2);
  const prompts = [
    [1, 5, 9, 4],
    [1, 7],
    [1, 3, 3, 8, 2, 6],
  ];
  const tokens = generate(model, prompts, {
    maxNewTokens: 12,
    temperature: 0,
    topP: 1,
    padToken: 0,
    seed: 1,
    batchSize: 3,
  });
  const logits = tf.tidy(
    () =>
      model
        .forward(tf.tensor2d([[...prompts[2], ...tokens[2]]], undefined, 'int32'))
        .logits.dataSync()
        .slice() as Float32Array,
  );
  model.dispose();
  return { tokens, logits };
}

/** `run` on wasm and on webgpu, compared; returns the worst relative errors for the diagnostics. */
async function compare<T>(run: () => T, check: (gpu: T, cpu: T) => string): Promise<string> {
  await switchBackend('wasm');
  const cpu = run();
  assert.equal(await switchBackend('webgpu'), undefined);
  try {
    return check(run(), cpu);
  } finally {
    await switchBackend('wasm');
  }
}

function trainingAgrees(gpu: Outcome, cpu: Outcome, tol: number): string {
  assert.equal(gpu.losses.length, cpu.losses.length);
  const lossError = maxRelativeError(gpu.losses, cpu.losses);
  const paramError = Math.max(...gpu.params.map((p, i) => maxRelativeError(p, cpu.params[i])));
  assert.ok(
    lossError <= tol && paramError <= tol,
    `losses ${gpu.losses} vs ${cpu.losses} (error ${lossError.toExponential(2)}), ` +
      `parameters error ${paramError.toExponential(2)}, tolerance ${tol}`,
  );
  return `losses ${lossError.toExponential(1)}, parameters after 2 AdamW steps ${paramError.toExponential(1)}`;
}

for (const [name, shape] of [
  ['GPT-2', gpt2],
  ['Llama', llama],
] as const) {
  test(`webgpu and wasm agree: ${name} SFT, 2 full steps${on}`, { skip }, async (t) => {
    t.diagnostic(
      `${name} SFT, max relative error webgpu vs wasm: ${await compare(
        () => sftStep(shape),
        (a, b) => trainingAgrees(a, b, 1e-4),
      )}`,
    );
  });
  test(`webgpu and wasm agree: ${name} DPO+SPO, 2 full steps${on}`, { skip }, async (t) => {
    t.diagnostic(
      `${name} DPO+SPO, max relative error webgpu vs wasm: ${await compare(
        () => dpoSpoStep(shape),
        (a, b) => trainingAgrees(a, b, 1e-4),
      )}`,
    );
  });
  test(`webgpu and wasm agree: ${name} KV-cache greedy generation of left-padded prompts${on}`, { skip }, async (t) => {
    t.diagnostic(
      `${name} generation: ${await compare(
        () => greedy(shape),
        (gpu, cpu) => {
          assert.deepEqual(gpu.tokens, cpu.tokens, 'greedy tokens');
          const error = maxRelativeError(gpu.logits, cpu.logits);
          assert.ok(error < 1e-4, `logits error ${error}`);
          return `identical tokens (${cpu.tokens.flat().length}), logits max relative error ${error.toExponential(1)}`;
        },
      )}`,
    );
  });
}
