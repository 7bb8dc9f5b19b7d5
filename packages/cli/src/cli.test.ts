import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseExperimentConfig, stageHashes } from './index.js';

const quickstart = JSON.parse(readFileSync(new URL('../../../experiments/quickstart/config.json', import.meta.url), 'utf8'));

test('the quickstart config is valid and gets its loss defaults filled', () => {
  const c = parseExperimentConfig(quickstart, 'quickstart');
  assert.equal(c.methods[1].spo?.lambda, 0.1);
  assert.equal(c.methods[0].params.beta, 0.1);
});

test('bad configs are refused with the field to change', () => {
  assert.throws(() => parseExperimentConfig({ ...quickstart, methods: [{ name: 'x', loss: 'dpp' }] }, 'q.json'), /methods\.0\.loss: unknown loss "dpp"; known losses: dpo/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, model: { ...quickstart.model, nHeads: 3 } }, 'q.json'), /model\.nHeads: dModel must be divisible/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, methods: [quickstart.methods[0], quickstart.methods[0]] }, 'q.json'), /used twice/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, methods: [{ ...quickstart.methods[0], params: { beta: 0 } }] }, 'q.json'), /params\.beta/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, methods: [{ name: 'soft-pl', loss: 'soft-pl' }] }, 'q.json'), /data\.preferenceLists: method "soft-pl" uses the list loss "soft-pl": set data\.preferenceLists above 0/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, methods: [{ name: 'x', loss: 'dpo', spo: { head: 'mlp' } }] }, 'q.json'), /methods\.0\.spo\.head/);
  const { rewardModel: _, ...withoutRm } = quickstart;
  assert.throws(() => parseExperimentConfig({ ...withoutRm, eval: { rewardModel: { kind: 'own' } } }, 'q.json'), /eval\.rewardModel: kind "own" scores with the experiment's reward model: add a "rewardModel" section/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, eval: { baseline: 'chosen' } }, 'q.json'), /eval\.baseline: "chosen" compares with the dataset's chosen responses, which only data files have/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, eval: { judge: { baseUrl: 'not a url', model: 'm' } } }, 'q.json'), /eval\.judge\.baseUrl/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, rewardModel: { steps: 10, warmupSteps: 20 } }, 'q.json'), /rewardModel\.warmupSteps: warmupSteps must not exceed steps/);
});

test('a batch larger than the synthetic data it draws from is refused at config time', () => {
  assert.throws(() => parseExperimentConfig({ ...quickstart, preference: { ...quickstart.preference, batchSize: 5000 } }, 'q.json'), /preference\.batchSize: preference\.batchSize \(5000\) is larger than data\.preferencePairs/);
  assert.throws(() => parseExperimentConfig({ ...quickstart, data: { ...quickstart.data, sftExamples: 4 } }, 'q.json'), /sft\.batchSize: sft\.batchSize \(\d+\) is larger than data\.sftExamples \(4\)/);
});

test('data files need something to score with: a reward model or a judge', () => {
  const files = { ...quickstart, data: { source: 'files', format: 'pairs', files: ['x.jsonl'] }, model: { ...quickstart.model, maxPositions: 400 } };
  const { rewardModel: _, ...withoutRm } = files;
  assert.throws(() => parseExperimentConfig(withoutRm, 'f.json'), /eval: data files have no oracle: add a "rewardModel" section/);
  assert.doesNotThrow(() => parseExperimentConfig({ ...withoutRm, eval: { rewardModel: { kind: 'onnx', path: 'rm/' }, baseline: 'chosen' } }, 'f.json'));
  assert.doesNotThrow(() => parseExperimentConfig(files, 'f.json'));
});

test('stage hashes: a change reaches its stage and everything downstream only', () => {
  const a = stageHashes(parseExperimentConfig(quickstart, 'q'));
  const b = stageHashes(parseExperimentConfig({ ...quickstart, preference: { ...quickstart.preference, steps: 70 } }, 'q'));
  assert.equal(a.data, b.data);
  assert.equal(a.sft, b.sft);
  assert.notEqual(a.methods.dpo, b.methods.dpo);
  assert.notEqual(a.eval, b.eval);
  // SPO's degree settings are a method's: changing them leaves the data and the SFT model alone
  const spoMethod = { ...quickstart.methods[1], spo: { ...quickstart.methods[1].spo, degrees: 6 } };
  const c = stageHashes(parseExperimentConfig({ ...quickstart, methods: [quickstart.methods[0], spoMethod] }, 'q'));
  assert.equal(a.sft, c.sft);
  assert.equal(a.methods.dpo, c.methods.dpo);
  assert.notEqual(a.methods['dpo-spo'], c.methods['dpo-spo']);
  // how a step runs, not what it computes: a finished stage stays finished
  const d = stageHashes(parseExperimentConfig({ ...quickstart, sft: { ...quickstart.sft, gradientCheckpointing: true }, preference: { ...quickstart.preference, gradientCheckpointing: true } }, 'q'));
  assert.deepEqual(d, a);
  // nor do checkpoint frequency and retention, or the judge's transport settings
  const e = stageHashes(parseExperimentConfig({
    ...quickstart, sft: { ...quickstart.sft, checkpointEvery: 7, keepCheckpoints: 5 }, preference: { ...quickstart.preference, checkpointEvery: 3 },
    rewardModel: { ...quickstart.rewardModel, keepCheckpoints: 9 },
  }, 'q'));
  assert.deepEqual(e, a);
  const judge = { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' };
  const f = stageHashes(parseExperimentConfig({ ...quickstart, eval: { ...quickstart.eval, judge } }, 'q'));
  const g = stageHashes(parseExperimentConfig({ ...quickstart, eval: { ...quickstart.eval, judge: { ...judge, concurrency: 16, maxRetries: 1, budget: { requests: 5 } } } }, 'q'));
  assert.equal(f.eval, g.eval);
  assert.notEqual(f.eval, stageHashes(parseExperimentConfig({ ...quickstart, eval: { ...quickstart.eval, judge: { ...judge, model: 'other' } } }, 'q')).eval);
});

test('stage hashes follow a data file\'s bytes, not its modification time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spo-hash-'));
  const file = join(dir, 'pairs.jsonl');
  writeFileSync(file, '{"prompt":"p","chosen":"a","rejected":"b"}\n');
  const config = () => parseExperimentConfig({ ...quickstart, data: { source: 'files', format: 'pairs', files: [file] }, model: { ...quickstart.model, maxPositions: 400 } }, 'f.json');
  const before = stageHashes(config());
  utimesSync(file, new Date(2001, 0, 1), new Date(2001, 0, 1));
  assert.equal(stageHashes(config()).data, before.data, 'a touched file keeps its stages');
  writeFileSync(file, '{"prompt":"p","chosen":"a","rejected":"c"}\n');
  assert.notEqual(stageHashes(config()).data, before.data, 'changed bytes re-run the data stage');
  rmSync(dir, { recursive: true });
});

test('the Nx plugin gives every experiment its stage targets, one train target per method', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const plugin = createRequire(import.meta.url)('../../../tools/nx-experiments.cjs');
  const [pattern, create] = plugin.createNodesV2;
  assert.equal(pattern, 'experiments/*/config.json');
  const [[file, result]] = create(['experiments/quickstart/config.json'], {}, { workspaceRoot: root });
  assert.equal(file, 'experiments/quickstart/config.json');
  const project = result.projects['experiments/quickstart'];
  assert.deepEqual(Object.keys(project.targets), ['data', 'sft', 'train-rm', 'train-dpo', 'train-dpo-spo', 'eval', 'report', 'run']);
  assert.deepEqual(project.targets.eval.dependsOn, ['train-dpo', 'train-dpo-spo', 'train-rm']);
  assert.equal(project.targets['train-rm'].command, 'tsx packages/cli/src/main.ts train --stage rm --config experiments/quickstart/config.json');
  assert.equal(project.targets['train-dpo-spo'].command, 'tsx packages/cli/src/main.ts train --method dpo-spo --config experiments/quickstart/config.json');
  assert.deepEqual(project.targets['train-dpo-spo'].outputs, ['{workspaceRoot}/runs/quickstart/dpo-spo']);
});

test('spo --version prints the version and the commit; spo data without a config says what to pass', () => {
  const spo = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url)), ...args], { encoding: 'utf8' });
  const version = spo('--version');
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout.trim(), /^spo-lab \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(\+changes)?|unknown: not a git checkout)\)$/);
  const data = spo('data');
  assert.equal(data.status, 1);
  assert.match(data.stderr, /data needs --config <path> .*; to download a public dataset: spo data fetch <name>/);
});
