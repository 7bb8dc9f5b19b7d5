// The Nx plugin on a workspace where some experiments cannot plan (a config that is not JSON, one with
// an unknown field, one whose pretrained model has not been fetched) beside a valid one: the valid
// experiment keeps all its projects, and each broken one is a project of its own whose targets fail
// with its config's own message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const plugin = createRequire(import.meta.url)('./nx-experiments.cjs') as {
  createNodesV2: [
    string,
    (
      files: string[],
      options: unknown,
      context: { workspaceRoot: string },
    ) => [string, { projects: Record<string, { name: string; targets: Record<string, { command?: string }> }> }][],
  ];
};

function workspace(configs: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'nx-plugin-'));
  for (const name of ['packages', 'node_modules']) symlinkSync(join(root, name), join(ws, name));
  for (const [name, text] of Object.entries(configs)) {
    mkdirSync(join(ws, 'experiments', name), { recursive: true });
    writeFileSync(join(ws, 'experiments', name, 'config.json'), text);
  }
  return ws;
}

test('one experiment that cannot plan never takes the others down; its targets fail with its own message', () => {
  const quickstart = readFileSync(join(root, 'experiments/quickstart/config.json'), 'utf8');
  const stories = JSON.parse(readFileSync(join(root, 'experiments/stories-pretrained/config.json'), 'utf8'));
  const ws = workspace({
    good: quickstart,
    'not-json': '{ "seed": 1,, }',
    'unknown-field': JSON.stringify({ ...JSON.parse(quickstart), stepz: 3 }),
    'no-model': JSON.stringify({ ...stories, model: { from: 'models/stories260K' } }),
  });
  const files = ['good', 'not-json', 'unknown-field', 'no-model'].map((n) => `experiments/${n}/config.json`);
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (line: string) => warnings.push(line);
  let nodes;
  try {
    nodes = plugin.createNodesV2[1](files, {}, { workspaceRoot: ws });
  } finally {
    console.warn = warn;
  }
  const projects = new Map(nodes.map(([file, { projects }]) => [file, Object.values(projects)]));

  const good = projects
    .get('experiments/good/config.json')!
    .map((p) => p.name)
    .sort();
  assert.deepEqual(good, ['good', 'good.data', 'good.dpo', 'good.dpo-spo']);
  for (const name of ['not-json', 'unknown-field', 'no-model']) {
    const [project, ...rest] = projects.get(`experiments/${name}/config.json`)!;
    assert.equal(rest.length, 0, `${name}: one project`);
    assert.equal(project.name, name);
    assert.deepEqual(Object.keys(project.targets).sort(), ['compare', 'report', 'run']);
    assert.ok(
      warnings.some((w) => w.includes(`] ${name} cannot run`)),
      `${name}: warned (${warnings.join(' / ')})`,
    );
  }
  assert.match(
    warnings.find((w) => w.includes('] no-model '))!,
    /models\/stories260K is not a folder.*npm run spo -- data fetch stories260K/,
  );
  assert.match(
    warnings.find((w) => w.includes('] unknown-field '))!,
    /stepz/,
  );

  // the broken project's target fails, naming what to fix, when the user runs it
  const command = projects.get('experiments/no-model/config.json')![0].targets.run.command!;
  const run = (() => {
    try {
      execSync(command.replace(/^tsx /, 'node --import tsx '), { cwd: ws, stdio: 'pipe', encoding: 'utf8' });
      return { status: 0, stderr: '' };
    } catch (error) {
      return error as { status: number; stderr: string };
    }
  })();
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /model\.from: models\/stories260K is not a folder.*data fetch stories260K/);

  // once the model is fetched, the experiment plans like any other
  cpSync(join(root, 'packages/model/src/fixtures/tiny/llama'), join(ws, 'models/stories260K'), { recursive: true });
  const fixed = plugin.createNodesV2[1](['experiments/no-model/config.json'], {}, { workspaceRoot: ws });
  assert.deepEqual(
    Object.values(fixed[0][1].projects)
      .map((p) => p.name)
      .sort()
      .slice(0, 3),
    ['no-model', 'no-model.data', 'no-model.dpo-spo.seed=1'],
    'a fetched model is planned afresh, not served a cached error',
  );
});
