// Starting from a pretrained model: the experiment config's model.from checks, `spo sample` streaming
// the published greedy story, and `spo export` writing a Hugging Face folder that samples the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@spo/engine';
import { fetchForTest } from '@spo/data';
import { parseExperimentConfig, planExperiment, numericsPath } from '@spo/experiment';
import { exportModel, sample } from './sample-command.js';
import { runExperiment } from './run-experiment.js';

await initBackend(undefined, () => {});
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const { dir: STORIES, skip } = await fetchForTest('stories260K');
const published = readFileSync(join(root, 'packages/model/src/fixtures/stories260K-greedy.txt'), 'utf8');
const stories = () => ({
  name: 'stories-pretrained',
  ...JSON.parse(readFileSync(join(root, 'experiments/stories-pretrained/config.json'), 'utf8')),
  model: { from: STORIES },
});

test('model.from: the config is checked against the folder, and its digest is in the stage hashes', { skip }, () => {
  const config = parseExperimentConfig(stories(), 'stories');
  assert.equal(config.sft.steps, 0);
  const plan = planExperiment(config, 'runs/s', 'wasm/native-blas');
  const other = planExperiment(
    parseExperimentConfig({ ...stories(), model: { from: STORIES, lora: { rank: 4 } } }, 'stories'),
    'runs/s',
    'wasm/native-blas',
  );
  assert.notEqual(plan.variants[0].hashes.sft, other.variants[0].hashes.sft, 'LoRA changes the starting stage');
  // the folder is known by its files, not its path: a copy elsewhere plans to the same stages
  const copy = join(mkdtempSync(join(tmpdir(), 'stories-copy-')), 'stories260K');
  cpSync(STORIES, copy, { recursive: true });
  const moved = planExperiment(
    parseExperimentConfig({ ...stories(), model: { from: copy } }, 'stories'),
    'runs/s',
    'wasm/native-blas',
  );
  assert.deepEqual(moved.variants[0].hashes, plan.variants[0].hashes);
  assert.deepEqual(
    moved.runs.map((r) => r.hashes),
    plan.runs.map((r) => r.hashes),
  );
  assert.throws(
    () => parseExperimentConfig({ ...stories(), model: { from: join(root, 'no-such-model') } }, 's'),
    /model\.from: .*no-such-model is not a folder/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...stories(), model: { dModel: 32 } }, 's'),
    new RegExp(
      String.raw`sft\.steps: a model trained from scratch needs SFT[\s\S]*data\.task: the "stories" ` +
        String.raw`task's responses are a pretrained model's samples: set model\.from`,
    ),
  );
  assert.throws(
    () => parseExperimentConfig({ ...stories(), model: { from: STORIES, lora: { rank: 0 } } }, 's'),
    /model/,
  );
});

test(
  'spo sample streams the published greedy story; spo export writes a Hugging Face folder that samples the same',
  { skip },
  () => {
    const chunks: string[] = [];
    const text = sample(
      { model: STORIES, prompt: '', maxNewTokens: 256, temperature: 0, topP: 1, seed: 1 },
      (t) => chunks.push(t),
      () => {},
    );
    assert.equal(text, published.replace(/\n$/, ''));
    assert.equal(chunks.join(''), published);
    assert.ok(chunks.length > 100, `streamed in ${chunks.length} pieces`);
    const out = join(mkdtempSync(join(tmpdir(), 'spo-export-')), 'stories260K-hf');
    exportModel(STORIES, out, () => {});
    for (const file of [
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
      'generation_config.json',
    ])
      assert.ok(existsSync(join(out, file)), file);
    assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).model_type, 'llama');
    assert.equal(
      sample(
        { model: out, prompt: '', maxNewTokens: 256, temperature: 0, topP: 1, seed: 1 },
        () => {},
        () => {},
      ),
      text,
    );
    const continued = sample(
      {
        model: out,
        prompt: 'Once upon a time, there was a little girl named Lily.',
        maxNewTokens: 20,
        temperature: 0,
        topP: 1,
        seed: 1,
      },
      () => {},
      () => {},
    );
    assert.ok(
      continued.startsWith(
        'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.',
      ),
      continued,
    );
  },
);

test(
  'from stories260K with LoRA: SFT, the reward model, ' +
    'DPO+SPO and Soft Preference Optimization, evals and report, end to end',
  { skip },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'pretrained-pipeline-'));
    process.env.SPO_CACHE_DIR = join(root, 'cache');
    const raw = {
      ...stories(),
      seeds: [1],
      data: {
        ...stories().data,
        sftExamples: 16,
        preferencePairs: 16,
        validationPairs: 8,
        evalPrompts: 6,
        sampling: { maxNewTokens: 12, temperature: 1, topP: 1, batchSize: 16 },
      },
      model: { from: STORIES, lora: { rank: 2, alpha: 4 } },
      sft: { steps: 2, batchSize: 4, warmupSteps: 1 },
      rewardModel: { steps: 2, batchSize: 4, warmupSteps: 1 },
      preference: { steps: 2, batchSize: 4, warmupSteps: 1 },
      methods: [
        { name: 'dpo-spo', loss: 'dpo', spo: { degrees: 3 } },
        { name: 'soft', loss: 'soft' },
      ],
      eval: { sampling: { maxNewTokens: 8, temperature: 1, topP: 1, batchSize: 8 }, bootstrapResamples: 100 },
    };
    const config = parseExperimentConfig(raw, 'stories-tiny');
    const backend = await initBackend(undefined, () => {});
    const lines: string[] = [];
    const plan = planExperiment(config, join(root, 'runs'), numericsPath(backend));
    await runExperiment(
      {
        config,
        configPath: 'stories-tiny.json',
        plan,
        reportDir: join(root, 'reports'),
        backend,
        log: (l) => lines.push(l),
      },
      'test',
    );
    assert.ok(
      lines.some((l) => /\[sft\] LoRA rank 2, alpha 4: [\d,]+ trainable parameters/.test(l)),
      'SFT trains LoRA adapters',
    );
    assert.ok(
      lines.some((l) => /\[dpo-spo\] dpo \+ SPO .* LoRA rank 2/.test(l)),
      'preference training attaches LoRA to the SFT model',
    );
    const md = readFileSync(join(root, 'reports', 'results.md'), 'utf8');
    assert.match(md, /## Win rate against the SFT model \(from the pretrained model\)/);
    assert.match(md, /\| soft \| no \| [\d.]+% /);
    // the starting model's files and the LoRA settings are in the stage hashes
    const other = planExperiment(
      parseExperimentConfig({ ...raw, model: { from: STORIES } }, 's'),
      join(root, 'runs'),
      numericsPath(backend),
    );
    assert.notEqual(other.variants[0].hashes.sft, plan.variants[0].hashes.sft);
    assert.equal(other.variants[0].hashes.data, plan.variants[0].hashes.data, 'LoRA does not change the data');
  },
);
