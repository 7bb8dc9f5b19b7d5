// Nx plugin: every experiments/<name>/config.json becomes projects made from its plan (`spo plan --json`):
//   <name>.data[-<variant>]: targets data -> sft -> train-rm     per data variant (a point of the data grid)
//   <name>.<run>:            target train (training, then eval)  per run (e.g. paper-ablations.dpo-spo.lambda=0.5.seed=3)
//   <name>:                  targets report (every run) -> run; compare (arguments forwarded to `spo compare`)
// Each stage target's inputs are the library sources, that stage's own config hash (so editing one
// grid value reruns only the runs it reaches) and the numerics path (backend, matmul addon, BLAS).
// Outputs are what later stages and the report read, not intermediate checkpoints. An eval with an LLM
// judge is never cached by Nx: the judge's own cache makes a re-run cheap, and its verdicts depend on a
// remote model Nx cannot hash. The plan is cached in .nx/spo-plans, keyed by the config, its data
// files, its pretrained model's files and the sources; the plans not in the cache are worked out
// together in one TypeScript process.
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { dirname, basename, join } = require('node:path');

const CLI = 'packages/cli/src/main.ts';

/** A digest of everything the plan depends on: the config, its data files, and every library source file. */
function planKey(configPath, workspaceRoot) {
  const h = createHash('sha256').update(readFileSync(join(workspaceRoot, configPath)));
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(`${p}:${s.size}:${s.mtimeMs}`);
    }
  };
  for (const pkg of readdirSync(join(workspaceRoot, 'packages'))) if (existsSync(join(workspaceRoot, 'packages', pkg, 'src'))) walk(join(workspaceRoot, 'packages', pkg, 'src'));
  const config = JSON.parse(readFileSync(join(workspaceRoot, configPath), 'utf8'));
  const stamp = (path) => h.update(existsSync(path) ? `${path}:${statSync(path).size}:${statSync(path).mtimeMs}` : `${path}:absent`);
  for (const f of config.data?.files ?? []) stamp(join(workspaceRoot, typeof f === 'string' ? f : f.path));
  // a pretrained model's files are in the data and stage hashes
  const from = config.model?.from && join(workspaceRoot, config.model.from);
  if (from && existsSync(from) && statSync(from).isDirectory()) for (const name of readdirSync(from).sort()) stamp(join(from, name));
  return h.digest('hex').slice(0, 16);
}

function cachedPlanPath(configPath, workspaceRoot) {
  return join(workspaceRoot, '.nx', 'spo-plans', `${basename(dirname(configPath))}-${planKey(configPath, workspaceRoot)}.json`);
}

function planProcess(configPaths, workspaceRoot) {
  return execFileSync(process.execPath, ['--import', 'tsx', CLI, 'plan', '--json', ...configPaths.flatMap((c) => ['--config', c])], { cwd: workspaceRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Work out the plans not in the cache, all in one TypeScript process (each process takes a second or
 * more to start); if that fails, one process per config, so an invalid config's error names it alone.
 */
function fillPlanCache(configPaths, workspaceRoot) {
  const missing = configPaths.filter((c) => !existsSync(cachedPlanPath(c, workspaceRoot)));
  if (missing.length === 0) return;
  mkdirSync(join(workspaceRoot, '.nx', 'spo-plans'), { recursive: true });
  let lines;
  try {
    lines = planProcess(missing, workspaceRoot).trim().split('\n');
  } catch {
    return; // readPlan runs each config on its own and reports its error
  }
  missing.forEach((c, i) => writeFileSync(cachedPlanPath(c, workspaceRoot), `${lines[i]}\n`));
}

function readPlan(configPath, workspaceRoot) {
  const cached = cachedPlanPath(configPath, workspaceRoot);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8'));
  const out = planProcess([configPath], workspaceRoot);
  mkdirSync(dirname(cached), { recursive: true });
  writeFileSync(cached, out);
  return JSON.parse(out);
}

function target(configPath, command, hash, outputs, dependsOn, extra = {}) {
  return {
    command: `tsx ${CLI} ${command} --config ${configPath}`,
    ...(dependsOn.length ? { dependsOn } : {}),
    cache: true,
    parallelism: false,
    inputs: ['librarySource', { runtime: `echo ${hash}` }, { runtime: 'node tools/numerics-path.cjs' }, { env: 'SPO_BACKEND' }, { env: 'SPO_NATIVE_MATMUL' }],
    outputs: outputs.map((o) => `{workspaceRoot}/${o}`),
    ...extra,
  };
}

/**
 * The projects of one experiment. Nx hashes a project's whole configuration into every task of that
 * project, so a project whose targets change (a new grid value, a new run) would rerun all of its
 * tasks. Each data variant's stages and each run are therefore projects of their own (named
 * <experiment>.<stage>, with a root under the experiment's folder that exists only in the graph):
 * changing one grid value changes only the projects of the runs it reaches, and the experiment's own
 * project (report, compare, run).
 */
function experimentProjects(configPath, workspaceRoot) {
  const plan = readPlan(configPath, workspaceRoot);
  const root = dirname(configPath);
  const projects = {};
  const project = (suffix, targets) => {
    projects[`${root}/.stages/${suffix}`] = { name: `${plan.name}.${suffix}`, projectType: 'application', targets };
    return `${plan.name}.${suffix}`;
  };
  const stageProject = {};
  for (const v of plan.variants) {
    const variant = v.suffix ? ` --variant ${v.id}` : '';
    const targets = {
      data: target(configPath, `data${variant}`, v.hashes.data, [v.dirs.data], [], { parallelism: true }),
      sft: target(configPath, `sft${variant}`, v.hashes.sft, [`${v.dirs.sft}/final`, `${v.dirs.sft}/*.json`, `${v.dirs.sft}/metrics.jsonl`], ['data']),
      ...(plan.rewardModel ? { 'train-rm': target(configPath, `train --stage rm${variant}`, v.hashes.rm, [`${v.dirs.rm}/final`, `${v.dirs.rm}/*.json`, `${v.dirs.rm}/*.jsonl`], ['sft']) } : {}),
    };
    stageProject[v.suffix] = project(`data${v.suffix}`, targets);
  }
  const runs = [];
  for (const r of plan.runs) {
    const base = stageProject[r.variantSuffix];
    const deps = [{ projects: [base], target: 'sft' }, ...(plan.rewardModel ? [{ projects: [base], target: 'train-rm' }] : [])];
    runs.push(project(r.name, {
      train: target(configPath, `train --run ${r.name}`, `${r.hashes.train}-${r.hashes.eval}`,
        [`${r.dir}/*.json`, `${r.dir}/metrics.jsonl`, `${r.dir}/degree-variants.jsonl`, `${r.dir}/eval`], deps, plan.judged ? { cache: false } : {}),
    }));
  }
  const allRuns = { projects: runs, target: 'train' };
  projects[root] = {
    name: plan.name, projectType: 'application',
    targets: {
      report: { ...target(configPath, 'report', plan.runs.map((r) => r.hashes.eval).join(','), [`reports/${plan.name}`], [allRuns]), parallelism: true },
      compare: { command: `tsx ${CLI} compare --config ${configPath}`, dependsOn: [allRuns], cache: false },
      run: { executor: 'nx:noop', dependsOn: ['report'] },
    },
  };
  return projects;
}

const createNodesV2 = [
  'experiments/*/config.json',
  (configFiles, _options, context) => {
    fillPlanCache(configFiles, context.workspaceRoot);
    return configFiles.map((file) => [file, { projects: experimentProjects(file, context.workspaceRoot) }]);
  },
];

module.exports = { name: 'spo-experiments', createNodesV2, createNodes: createNodesV2 };
