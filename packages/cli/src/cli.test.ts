import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  loadExperimentConfig,
  parseExperimentConfig,
  planExperiment,
  type ExperimentConfig,
  applyOverrides,
  parseOverride,
} from '@spo/experiment';

const quickstart = {
  name: 'quickstart',
  ...JSON.parse(readFileSync(new URL('../../../experiments/quickstart/config.json', import.meta.url), 'utf8')),
};

/** Each stage's hash, as the plan gives them: data, sft, rm, and per run its training hash. */
function stageHashes(c: ExperimentConfig, numerics = 'wasm/native-blas') {
  const plan = planExperiment(c, 'runs/q', numerics);
  const v = plan.variants[0];
  return {
    data: v.hashes.data,
    sft: v.hashes.sft,
    rm: v.hashes.rm,
    methods: Object.fromEntries(plan.runs.map((r) => [r.name, r.hashes.train])),
    eval: Object.fromEntries(plan.runs.map((r) => [r.name, r.hashes.eval])),
  };
}

test('the quickstart config is valid and gets its loss defaults filled', () => {
  const c = parseExperimentConfig(quickstart, 'quickstart');
  assert.equal(c.methods[1].spo?.lambda, 0.1);
  assert.equal(c.methods[0].params.beta, 0.1);
});

test('bad configs are refused with the field to change', () => {
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, methods: [{ name: 'x', loss: 'dpp' }] }, 'q.json'),
    /methods\.0\.loss: unknown loss "dpp"; known losses: dpo/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, model: { ...quickstart.model, nHeads: 3 } }, 'q.json'),
    /model\.nHeads: dModel must be divisible/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, methods: [quickstart.methods[0], quickstart.methods[0]] }, 'q.json'),
    /used twice/,
  );
  assert.throws(
    () =>
      parseExperimentConfig({ ...quickstart, methods: [{ ...quickstart.methods[0], params: { beta: 0 } }] }, 'q.json'),
    /params\.beta/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, methods: [{ name: 'soft-pl', loss: 'soft-pl' }] }, 'q.json'),
    /data\.preferenceLists: method "soft-pl" uses the list loss "soft-pl": set data\.preferenceLists above 0/,
  );
  assert.throws(
    () =>
      parseExperimentConfig({ ...quickstart, methods: [{ name: 'x', loss: 'dpo', spo: { head: 'mlp' } }] }, 'q.json'),
    /methods\.0\.spo\.head/,
  );
  const { rewardModel: _, ...withoutRm } = quickstart;
  assert.throws(
    () => parseExperimentConfig({ ...withoutRm, eval: { rewardModel: { kind: 'own' } } }, 'q.json'),
    /eval\.rewardModel: kind "own" scores with the experiment's reward model: add a "rewardModel" section/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, eval: { baseline: 'chosen' } }, 'q.json'),
    /eval\.baseline: "chosen" compares with the dataset's chosen responses, which only data files have/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, eval: { judge: { baseUrl: 'not a url', model: 'm' } } }, 'q.json'),
    /eval\.judge\.baseUrl/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, rewardModel: { steps: 10, warmupSteps: 20 } }, 'q.json'),
    /rewardModel\.warmupSteps: warmupSteps must not exceed steps/,
  );
});

test("a method's mistake is listed once, with its path; an override's is named as one", () => {
  const once = (raw: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseExperimentConfig(raw, 'q.json'),
      (e: Error) => pattern.test(e.message) && e.message.split('q.json').length === 2,
    );
  once(
    { ...quickstart, methods: [quickstart.methods[0], { ...quickstart.methods[1], spo: { lamda: 0.1 } }] },
    /^q\.json is not a valid experiment config:\n {2}methods\.1\.spo: Unrecognized key: "lamda"$/,
  );
  once(
    { ...quickstart, methods: [{ ...quickstart.methods[0], params: { betta: 0.1 } }] },
    /^q\.json is not a valid experiment config:\n {2}methods\.0\.params: Unrecognized key: "betta" \(the parameters of/,
  );
  const dir = join(mkdtempSync(join(tmpdir(), 'exp-')), 'q');
  mkdirSync(dir);
  const { name: _, ...withoutName } = quickstart;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(withoutName));
  assert.throws(
    () => loadExperimentConfig(join(dir, 'config.json'), [parseOverride('preference.stepz=10')]),
    /config\.json with --set preference\.stepz=10 is not a valid experiment config:\n {2}preference: Unrecognized key/,
  );
  assert.throws(
    () => loadExperimentConfig(join(dir, 'nope.json')),
    /nope\.json does not exist; an experiment is a folder experiments\/<name>\/ holding config\.json/,
  );
});

test('a batch larger than the synthetic data it draws from is refused at config time', () => {
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, preference: { ...quickstart.preference, batchSize: 5000 } }, 'q.json'),
    /preference\.batchSize: preference\.batchSize \(5000\) is larger than data\.preferencePairs/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...quickstart, data: { ...quickstart.data, sftExamples: 4 } }, 'q.json'),
    /sft\.batchSize: sft\.batchSize \(\d+\) is larger than data\.sftExamples \(4\)/,
  );
});

test('data files need something to score with: a reward model or a judge', () => {
  const files = {
    ...quickstart,
    data: { source: 'files', format: 'pairs', files: ['x.jsonl'] },
    model: { ...quickstart.model, maxPositions: 400 },
  };
  const { rewardModel: _, ...withoutRm } = files;
  assert.throws(
    () => parseExperimentConfig(withoutRm, 'f.json'),
    /eval: data files have no oracle: add a "rewardModel" section/,
  );
  assert.doesNotThrow(() =>
    parseExperimentConfig(
      { ...withoutRm, eval: { rewardModel: { kind: 'onnx', path: 'rm/' }, baseline: 'chosen' } },
      'f.json',
    ),
  );
  assert.doesNotThrow(() => parseExperimentConfig(files, 'f.json'));
});

test('stage hashes: a change reaches its stage and everything downstream only', () => {
  const a = stageHashes(parseExperimentConfig(quickstart, 'q'));
  const b = stageHashes(
    parseExperimentConfig({ ...quickstart, preference: { ...quickstart.preference, steps: 70 } }, 'q'),
  );
  assert.equal(a.data, b.data);
  assert.equal(a.sft, b.sft);
  assert.notEqual(a.methods.dpo, b.methods.dpo);
  assert.notEqual(a.eval.dpo, b.eval.dpo);
  // SPO's degree settings are a method's: changing them leaves the data and the SFT model alone
  const spoMethod = { ...quickstart.methods[1], spo: { ...quickstart.methods[1].spo, degrees: 6 } };
  const c = stageHashes(parseExperimentConfig({ ...quickstart, methods: [quickstart.methods[0], spoMethod] }, 'q'));
  assert.equal(a.sft, c.sft);
  assert.equal(a.methods.dpo, c.methods.dpo);
  assert.notEqual(a.methods['dpo-spo'], c.methods['dpo-spo']);
  // how a step runs, not what it computes: a finished stage stays finished
  const d = stageHashes(
    parseExperimentConfig(
      {
        ...quickstart,
        sft: { ...quickstart.sft, gradientCheckpointing: true },
        preference: { ...quickstart.preference, gradientCheckpointing: true },
      },
      'q',
    ),
  );
  assert.deepEqual(d, a);
  // nor do checkpoint frequency and retention, or the judge's transport settings
  const e = stageHashes(
    parseExperimentConfig(
      {
        ...quickstart,
        sft: { ...quickstart.sft, checkpointEvery: 7, keepCheckpoints: 5 },
        preference: { ...quickstart.preference, checkpointEvery: 3 },
        rewardModel: { ...quickstart.rewardModel, keepCheckpoints: 9 },
      },
      'q',
    ),
  );
  assert.deepEqual(e, a);
  const judge = { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' };
  const f = stageHashes(parseExperimentConfig({ ...quickstart, eval: { ...quickstart.eval, judge } }, 'q'));
  const g = stageHashes(
    parseExperimentConfig(
      {
        ...quickstart,
        eval: { ...quickstart.eval, judge: { ...judge, concurrency: 16, maxRetries: 1, budget: { requests: 5 } } },
      },
      'q',
    ),
  );
  assert.deepEqual(f.eval, g.eval);
  assert.notDeepEqual(
    f.eval,
    stageHashes(
      parseExperimentConfig({ ...quickstart, eval: { ...quickstart.eval, judge: { ...judge, model: 'other' } } }, 'q'),
    ).eval,
  );
  // the backend and matmul path reach everything from the SFT model down, never the data
  const xnn = stageHashes(parseExperimentConfig(quickstart, 'q'), 'wasm/backend-matmul');
  assert.equal(xnn.data, a.data);
  assert.notEqual(xnn.sft, a.sft);
  assert.notEqual(xnn.methods.dpo, a.methods.dpo);
});

test("stage hashes follow a data file's bytes, not its modification time", () => {
  const dir = mkdtempSync(join(tmpdir(), 'spo-hash-'));
  const file = join(dir, 'pairs.jsonl');
  writeFileSync(file, '{"prompt":"p","chosen":"a","rejected":"b"}\n');
  const config = () =>
    parseExperimentConfig(
      {
        ...quickstart,
        data: { source: 'files', format: 'pairs', files: [file] },
        model: { ...quickstart.model, maxPositions: 400 },
      },
      'f.json',
    );
  const before = stageHashes(config());
  utimesSync(file, new Date(2001, 0, 1), new Date(2001, 0, 1));
  assert.equal(stageHashes(config()).data, before.data, 'a touched file keeps its stages');
  writeFileSync(file, '{"prompt":"p","chosen":"a","rejected":"c"}\n');
  assert.notEqual(stageHashes(config()).data, before.data, 'changed bytes re-run the data stage');
  rmSync(dir, { recursive: true });
});

test(
  "the Nx plugin: a project per data variant's stages and per run, " +
    "each target keyed by its own hash; the experiment's project reports",
  () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const plugin = createRequire(import.meta.url)('../../../tools/nx-experiments.cjs');
    const [pattern, create] = plugin.createNodesV2;
    assert.equal(pattern, 'experiments/*/config.json');
    const [[file, result]] = create(['experiments/quickstart/config.json'], {}, { workspaceRoot: root });
    assert.equal(file, 'experiments/quickstart/config.json');
    const byName = Object.fromEntries(
      Object.values(result.projects as Record<string, { name: string; targets: Record<string, any> }>).map((p) => [
        p.name,
        p.targets,
      ]),
    );
    assert.deepEqual(Object.keys(byName).sort(), [
      'quickstart',
      'quickstart.data',
      'quickstart.dpo',
      'quickstart.dpo-spo',
    ]);
    assert.deepEqual(Object.keys(byName.quickstart), ['report', 'compare', 'run'], 'named after its folder');
    assert.deepEqual(Object.keys(byName['quickstart.data']), ['data', 'sft', 'train-rm']);
    assert.deepEqual(byName.quickstart.report.dependsOn, [
      { projects: ['quickstart.dpo', 'quickstart.dpo-spo'], target: 'train' },
    ]);
    const run = byName['quickstart.dpo-spo'].train;
    assert.deepEqual(run.dependsOn, [
      { projects: ['quickstart.data'], target: 'sft' },
      { projects: ['quickstart.data'], target: 'train-rm' },
    ]);
    assert.equal(
      run.command,
      'tsx packages/cli/src/main.ts train --run dpo-spo --config experiments/quickstart/config.json',
    );
    assert.ok(run.outputs.includes('{workspaceRoot}/runs/quickstart/dpo-spo/eval'));
    assert.ok(!run.outputs.some((o: string) => o.includes('checkpoints')), 'intermediate checkpoints are not cached');
    const plan = planExperiment(parseExperimentConfig(quickstart, 'q'), 'runs/quickstart', '');
    const runtime = run.inputs
      .filter((i: { runtime?: string }) => i.runtime)
      .map((i: { runtime: string }) => i.runtime);
    assert.deepEqual(runtime, [
      `echo ${plan.runs[1].hashes.train}-${plan.runs[1].hashes.eval}`,
      'node tools/numerics-path.cjs',
    ]);
    assert.ok(
      !run.inputs.some((i: unknown) => typeof i === 'string' && i.includes('config')),
      'not the whole config file',
    );
  },
);

test(
  'sweeps and seeds: stable readable run names; ' +
    'one grid value reaches only its own runs; a default listed in two sweeps trains once',
  () => {
    const config = parseExperimentConfig(
      {
        ...quickstart,
        seeds: [1, 2],
        seedScope: 'training',
        methods: [
          { name: 'dpo', loss: 'dpo' },
          { name: 'dpo-spo', loss: 'dpo', spo: {}, grid: [{ 'spo.degrees': [2, 4] }, { 'spo.lambda': [0.1, 0.5] }] },
        ],
      },
      'q',
    );
    const plan = planExperiment(config, 'runs/q', 'wasm/native-blas');
    assert.deepEqual(
      plan.runs.map((r) => r.name),
      [
        'dpo.seed=1',
        'dpo.seed=2',
        'dpo-spo.degrees=2.seed=1',
        'dpo-spo.degrees=2.seed=2',
        'dpo-spo.degrees=4.seed=1',
        'dpo-spo.degrees=4.seed=2',
        'dpo-spo.lambda=0.1.seed=1',
        'dpo-spo.lambda=0.1.seed=2',
        'dpo-spo.lambda=0.5.seed=1',
        'dpo-spo.lambda=0.5.seed=2',
      ],
    );
    const alias = plan.runs.find((r) => r.name === 'dpo-spo.lambda=0.1.seed=1')!;
    assert.equal(alias.sameAs, 'dpo-spo.degrees=4.seed=1', 'K = 4 and λ = 0.1 are both the defaults: one run');
    assert.equal(alias.dir, 'runs/q/dpo-spo.degrees=4.seed=1');
    // edit one value: only the runs at that value get new hashes
    const edited = planExperiment(
      parseExperimentConfig(
        {
          ...quickstart,
          seeds: [1, 2],
          seedScope: 'training',
          methods: [
            { name: 'dpo', loss: 'dpo' },
            { name: 'dpo-spo', loss: 'dpo', spo: {}, grid: [{ 'spo.degrees': [2, 4] }, { 'spo.lambda': [0.1, 0.7] }] },
          ],
        },
        'q',
      ),
      'runs/q',
      'wasm/native-blas',
    );
    const changed = plan.runs.filter((r, i) => r.hashes.train !== edited.runs[i].hashes.train).map((r) => r.name);
    assert.deepEqual(changed, ['dpo-spo.lambda=0.5.seed=1', 'dpo-spo.lambda=0.5.seed=2']);
    // the seed changes training and eval but never the shared data and SFT model
    const [s1, s2] = plan.runs;
    assert.equal(s1.variant.hashes.sft, s2.variant.hashes.sft);
    assert.notEqual(s1.hashes.train, s2.hashes.train);
  },
);

test(
  'data grids: each point its own data, SFT and reward model; ' +
    'seedScope "everything" (the default) gives each seed its own; --set overrides a field',
  () => {
    const base = {
      ...quickstart,
      seeds: [1, 2],
      seedScope: 'training',
      grid: [{ 'data.labelTemperature': [0.25, 1] }, { 'data.preferencePairs': [500, 2000] }],
    };
    const plan = planExperiment(parseExperimentConfig(base, 'q'), 'runs/q', '');
    assert.deepEqual(
      plan.variants.map((v) => [v.id, v.sameAs ?? '']),
      [
        ['labelTemperature=0.25', ''],
        ['labelTemperature=1', ''],
        ['preferencePairs=500', ''],
        ['preferencePairs=2000', 'labelTemperature=0.25'],
      ],
    );
    assert.equal(plan.runs.filter((r) => r.sameAs === undefined).length, 3 * 2 * 2);
    assert.ok(plan.runs.some((r) => r.name === 'labelTemperature=1.dpo-spo.seed=2'));
    const everything = planExperiment(
      // "everything" is the default
      parseExperimentConfig({ ...quickstart, seeds: [1, 2] }, 'q'),
      'runs/q',
      '',
    );
    assert.deepEqual(
      everything.variants.map((v) => [v.id, v.seed]),
      [
        ['seed=1', 1],
        ['seed=2', 2],
      ],
    );
    assert.notEqual(everything.variants[0].hashes.sft, everything.variants[1].hashes.sft);
    assert.throws(
      () => parseExperimentConfig({ ...quickstart, grid: { 'spo.lambda': [1] } }, 'q'),
      /the top-level grid sweeps data settings/,
    );
    assert.throws(
      () =>
        parseExperimentConfig(
          { ...quickstart, methods: [{ name: 'x', loss: 'dpo', spo: {}, grid: { 'spo.degrees': [1] } }] },
          'q.json',
        ),
      /methods\.0 at grid point spo\.degrees=1\) is not a valid experiment config:\n {2}methods\.0\.spo\.degrees/,
    );
    const overridden = applyOverrides(quickstart, [
      parseOverride('preference.steps=7'),
      parseOverride('methods.1.spo.lambda=0.5'),
      parseOverride('description=new words'),
    ]) as typeof quickstart;
    assert.equal(overridden.preference.steps, 7);
    assert.equal(overridden.methods[1].spo.lambda, 0.5);
    assert.equal(overridden.description, 'new words');
    assert.throws(() => parseOverride('no-equals'), /expected key=value/);
  },
);

test('an experiment is named by its folder: a copy is a new experiment, a name that disagrees is refused', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'exp-')), 'my-copy');
  mkdirSync(dir);
  const { name: _, ...withoutName } = quickstart;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(withoutName));
  assert.equal(loadExperimentConfig(join(dir, 'config.json')).name, 'my-copy');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...withoutName, name: 'quickstart' }));
  assert.throws(
    () => loadExperimentConfig(join(dir, 'config.json')),
    /"name" is "quickstart" but the folder is "my-copy"; remove "name"/,
  );
});

test('spo --version prints the version and the commit; spo data without a config says what to pass', () => {
  const spo = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url)), ...args], {
      encoding: 'utf8',
    });
  const version = spo('--version');
  assert.equal(version.status, 0, version.stderr);
  assert.match(
    version.stdout.trim(),
    /^spo-lab \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(\+changes)?|unknown: not a git checkout)\)$/,
  );
  const data = spo('data');
  assert.equal(data.status, 1);
  assert.match(data.stderr, /data needs --config <path> .*; to download a public dataset: spo data fetch <name>/);
});
