// Smoke-size versions of the paper's experiments (a tiny model, a few steps, 2 seeds), each through
// every stage from its own config file: data variants, SFT, reward models, every run of every sweep,
// the report with its paired table and comparisons. Checks the plumbing and the tables' shape, not
// the numbers; the committed reports come from the full-size configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@spo/engine';
import { readResultsCsv } from '@spo/reports';
import { loadExperimentConfig, parseOverride, planExperiment, numericsPath, type StageContext } from '@spo/experiment';
import { runExperiment } from './run-experiment.js';

const SMOKE = [
  'seeds=[1,2]',
  'model.dModel=16',
  'model.nLayers=1',
  'data.sftExamples=200',
  'data.evalPrompts=8',
  'data.validationPairs=16',
  'sft.steps=4',
  'sft.batchSize=16',
  'sft.warmupSteps=1',
  'rewardModel.steps=2',
  'rewardModel.batchSize=8',
  'rewardModel.warmupSteps=1',
  'preference.steps=2',
  'preference.batchSize=4',
  'preference.warmupSteps=1',
  'eval.bootstrapResamples=200',
].map(parseOverride);

async function smoke(name: string): Promise<{ md: string; rows: ReturnType<typeof readResultsCsv>; runs: number }> {
  const root = mkdtempSync(join(tmpdir(), `smoke-${name}-`));
  process.env.SPO_CACHE_DIR = join(root, 'cache');
  const config = loadExperimentConfig(
    fileURLToPath(new URL(`../../../experiments/${name}/config.json`, import.meta.url)),
    SMOKE,
  );
  const backend = await initBackend(undefined, () => {});
  const plan = planExperiment(config, join(root, 'runs'), numericsPath(backend));
  const ctx: StageContext = {
    config,
    configPath: `experiments/${name}/config.json`,
    plan,
    reportDir: join(root, 'reports'),
    backend,
    log: () => {},
  };
  await runExperiment(ctx, 'smoke');
  return {
    md: readFileSync(join(root, 'reports', 'results.md'), 'utf8'),
    rows: readResultsCsv(join(root, 'reports', 'results.csv')),
    runs: plan.runs.length,
  };
}

test(
  'paper-main at smoke size: 6 methods with and without SPO on two tasks, ' +
    '2 seeds, paired table for every method and task',
  async () => {
    const { md, rows, runs } = await smoke('paper-main');
    assert.equal(runs, 2 * 12 * 2);
    assert.equal(rows.length, runs * 2, 'oracle and reward model per run');
    assert.deepEqual([...new Set(rows.map((r) => r.task))], ['summarization', 'dialogue']);
    assert.match(
      md,
      new RegExp(
        String.raw`\| method \| \+SPO \| task=summarization: oracle \| task=summarization: reward ` +
          String.raw`model \| task=summarization: LLM judge \| task=dialogue: oracle \|`,
      ),
    );
    assert.match(md, /\| kto-spo \| yes \| [\d.]+% .* \(2\)(; [^|]+)? \| .* \| not configured \|/);
    assert.match(md, /24 comparisons, one family \(every row of this table\): \d+ with p < 0\.05 before adjustment/);
  },
);

test('paper-ablations at smoke size: every sweep against DPO, the shared default trained once', async () => {
  const { md, rows, runs } = await smoke('paper-ablations');
  assert.equal(runs, 2 * (1 + 4 + 5 + 3 + 3 + 2 + 3));
  assert.equal(
    rows.filter((r) => r.same_as !== '' && r.same_as !== undefined && r.same_as !== null).length,
    2 * 2 * 5,
    'the default (K = 4, λ = 0.1, rake, chosen, linear, keyShare 1) listed in five more sweeps',
  );
  for (const title of [
    'Number of degree levels K',
    'Weight λ of the degree loss',
    'Key content extractor',
    'Which response is pruned',
    'Degree head',
    'Share of extracted phrases kept as key content',
  ]) {
    assert.match(md, new RegExp(`## ${title}`));
  }
  assert.match(md, /\| 6 \| 2 \| [+−][\d.]+ \[/, 'the K = 6 row, paired on 2 seeds');
  assert.match(md, /\| logprob-rank \| 2 \|/);
});

test(
  'when-spo-helps at smoke size: each data setting its own SFT model, ' +
    'the gain per label temperature and per number of pairs',
  async () => {
    const { md, rows } = await smoke('when-spo-helps');
    assert.deepEqual(
      [...new Set(rows.map((r) => r.variant))],
      [
        'labelTemperature=0.1',
        'labelTemperature=0.25',
        'labelTemperature=0.5',
        'labelTemperature=1',
        'preferencePairs=250',
        'preferencePairs=500',
        'preferencePairs=1000',
        'preferencePairs=2000',
      ],
    );
    assert.match(
      md,
      /## SPO's gain as labels get noisier \(label temperature\)\n[\s\S]*\| 0\.1 \| 2 \|[\s\S]*\| 1 \| 2 \|/,
    );
    assert.match(md, /## SPO's gain as preference pairs get fewer[\s\S]*\| 250 \| 2 \|[\s\S]*\| 2000 \| 2 \|/);
  },
);

test(
  'trl-extras at smoke size: each TRL 1.x setting with and without SPO, ' +
    'each seed its own SFT model, every setting against DPO',
  async () => {
    const { md, rows, runs } = await smoke('trl-extras');
    assert.equal(runs, 2 * 12 * 2);
    assert.equal(rows.length, runs * 2, 'oracle and the reward model the smoke settings add');
    assert.deepEqual(
      [...new Set(rows.map((r) => r.loss))].sort(),
      ['0.8·dpo + 0.2·bco', 'aot', 'aot-unpaired', 'dpo', 'sigmoid-norm'],
      'the mixture named by its parts',
    );
    assert.match(md, /## Each TRL 1\.x setting against DPO/);
    for (const method of ['tr-dpo-soft', 'tr-dpo-hard', 'ld-dpo', 'wpo', 'mpo', 'dpo-js'])
      assert.match(md, new RegExp(`\\| ${method} \\| 2 \\| [+−][\\d.]+ \\[`), method);
    assert.match(md, /24 comparisons|12 comparisons/);
  },
);

test(
  'tune-baselines at smoke size: every grid point scored on validation prompts, ' + 'one choice per task and loss',
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'smoke-tune-'));
    process.env.SPO_CACHE_DIR = join(root, 'cache');
    const config = loadExperimentConfig(
      fileURLToPath(new URL('../../../experiments/tune-baselines/config.json', import.meta.url)),
      [...SMOKE, parseOverride('seeds=[101]')],
    );
    const backend = await initBackend(undefined, () => {});
    const plan = planExperiment(config, join(root, 'runs'), numericsPath(backend));
    assert.equal(plan.runs.length, 2 * 6 * 9);
    const reportDir = join(root, 'reports');
    await runExperiment(
      { config, configPath: 'experiments/tune-baselines/config.json', plan, reportDir, backend, log: () => {} },
      'smoke',
    );
    const md = readFileSync(join(reportDir, 'results.md'), 'utf8');
    assert.match(md, /on 16 held-out validation prompts/);
    assert.match(md, /## Chosen settings[\s\S]*\| task=dialogue \| kto \| beta=[\d.]+\.lr=[\d.]+ \|/);
    const chosen = JSON.parse(readFileSync(join(reportDir, 'chosen.json'), 'utf8'));
    assert.equal(chosen.tuned.length, 12);
    assert.deepEqual(Object.keys(chosen.tuned[0].set), ['params.beta', 'lr']);
    assert.deepEqual(chosen.tuned[0].where, { 'data.task': 'summarization' });
  },
);
