// Nx plugin: every experiments/<name>/config.json becomes projects made from its plan (`spo plan --json`):
//   <name>.data[-<variant>]: targets data -> sft -> train-rm     per data variant (a point of the data grid)
//   <name>.<run>:            target train (training, then eval)  per run
//                                                                (e.g. paper-ablations.dpo-spo.lambda=0.5.seed=3)
//   <name>:                  targets report (every run) -> run; compare (arguments forwarded to `spo compare`)
// Each stage target's inputs are the library sources, that stage's own config hash (so editing one
// grid value reruns only the runs it reaches) and the numerics path (backend, matmul addon, BLAS).
// Outputs are what later stages and the report read, not intermediate checkpoints. An eval with an LLM
// judge is never cached by Nx: the judge's own cache makes a re-run cheap, and its verdicts depend on a
// remote model Nx cannot hash. The plan is cached in .nx/spo-plans, keyed by the config, its data
// files, its pretrained model's files and the sources; the plans not in the cache are worked out
// together in one TypeScript process.
// An experiment whose config is invalid or whose inputs are missing never breaks the others: it is
// the project <name> alone, whose targets fail with the config's own message (and the plugin warns).
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { dirname, basename, join } = require('node:path');

const CLI = 'packages/cli/src/main.ts';

/** A digest of everything the plan depends on: the config, its data files, and every library source file. */
function planKey(configPath, workspaceRoot) {
  const text = readFileSync(join(workspaceRoot, configPath));
  const h = createHash('sha256').update(text);
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(`${p}:${s.size}:${s.mtimeMs}`);
    }
  };
  for (const pkg of readdirSync(join(workspaceRoot, 'packages')))
    if (existsSync(join(workspaceRoot, 'packages', pkg, 'src'))) walk(join(workspaceRoot, 'packages', pkg, 'src'));
  let config = {};
  try {
    config = JSON.parse(text.toString('utf8'));
  } catch {
    // not JSON: the plan process says where, and the digest of the text is the key
  }
  const stamp = (path) =>
    h.update(existsSync(path) ? `${path}:${statSync(path).size}:${statSync(path).mtimeMs}` : `${path}:absent`);
  for (const f of Array.isArray(config.data?.files) ? config.data.files : [])
    if (typeof f === 'string' || typeof f?.path === 'string')
      stamp(join(workspaceRoot, typeof f === 'string' ? f : f.path));
  // a pretrained model's files are in the data and stage hashes
  const from = typeof config.model?.from === 'string' && join(workspaceRoot, config.model.from);
  if (from) stamp(from);
  if (from && existsSync(from) && statSync(from).isDirectory())
    for (const name of readdirSync(from).sort()) stamp(join(from, name));
  return h.digest('hex').slice(0, 16);
}

function cachedPlanPath(configPath, workspaceRoot) {
  return join(
    workspaceRoot,
    '.nx',
    'spo-plans',
    `${basename(dirname(configPath))}-${planKey(configPath, workspaceRoot)}.json`,
  );
}

/** One line per config: its plan, or {config, error} for a config that does not plan. */
function planLines(configPaths, workspaceRoot) {
  const args = ['--import', 'tsx', CLI, 'plan', '--json', ...configPaths.flatMap((c) => ['--config', c])];
  let out;
  try {
    out = execFileSync(process.execPath, args, {
      cwd: workspaceRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    out = error.stdout ?? ''; // exit 1 when some config has an error; its line says which
    if (out.trim().split('\n').length !== configPaths.length) {
      const why = `${error.stderr || error.message}`.trim();
      return configPaths.map((config) => JSON.stringify({ config, error: `spo plan failed: ${why}` }));
    }
  }
  return out.trim().split('\n');
}

/**
 * Every config's plan, or {error}. The ones not in the cache are worked out together in one TypeScript
 * process (each takes a second or more to start). Errors are not cached: what fixes one (a tokenizer
 * folder, say) need not be in the key.
 */
function readPlans(configPaths, workspaceRoot) {
  const cached = new Map(configPaths.map((c) => [c, cachedPlanPath(c, workspaceRoot)]));
  const missing = configPaths.filter((c) => !existsSync(cached.get(c)));
  const fresh = new Map();
  if (missing.length > 0) {
    mkdirSync(join(workspaceRoot, '.nx', 'spo-plans'), { recursive: true });
    planLines(missing, workspaceRoot).forEach((line, i) => {
      const plan = JSON.parse(line);
      fresh.set(missing[i], plan);
      if (plan.error === undefined) writeFileSync(cached.get(missing[i]), `${line}\n`);
    });
  }
  return configPaths.map((c) => fresh.get(c) ?? JSON.parse(readFileSync(cached.get(c), 'utf8')));
}

function target(configPath, command, hash, outputs, dependsOn, extra = {}) {
  return {
    command: `tsx ${CLI} ${command} --config ${configPath}`,
    ...(dependsOn.length ? { dependsOn } : {}),
    cache: true,
    // stages run side by side as Nx's --parallel allows (3 by default): each is its own process, on the
    // same BLAS threading as alone, so its numbers are a one-at-a-time run's (cli/src/parallel-runs.test.ts)
    parallelism: true,
    inputs: [
      'librarySource',
      { runtime: `echo ${hash}` },
      { runtime: 'node tools/numerics-path.cjs' },
      { env: 'SPO_BACKEND' },
      { env: 'SPO_NATIVE_MATMUL' },
    ],
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
function experimentProjects(configPath, plan) {
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
      data: target(configPath, `data${variant}`, v.hashes.data, [v.dirs.data], []),
      sft: target(
        configPath,
        `sft${variant}`,
        v.hashes.sft,
        [`${v.dirs.sft}/final`, `${v.dirs.sft}/*.json`, `${v.dirs.sft}/metrics.jsonl`],
        ['data'],
      ),
      ...(plan.rewardModel
        ? {
            'train-rm': target(
              configPath,
              `train --stage rm${variant}`,
              v.hashes.rm,
              [`${v.dirs.rm}/final`, `${v.dirs.rm}/*.json`, `${v.dirs.rm}/*.jsonl`],
              ['sft'],
            ),
          }
        : {}),
    };
    stageProject[v.suffix] = project(`data${v.suffix}`, targets);
  }
  const runs = [];
  for (const r of plan.runs) {
    const base = stageProject[r.variantSuffix];
    const deps = [
      { projects: [base], target: 'sft' },
      ...(plan.rewardModel ? [{ projects: [base], target: 'train-rm' }] : []),
    ];
    runs.push(
      project(r.name, {
        train: target(
          configPath,
          `train --run ${r.name}`,
          `${r.hashes.train}-${r.hashes.eval}`,
          [`${r.dir}/*.json`, `${r.dir}/metrics.jsonl`, `${r.dir}/degree-variants.jsonl`, `${r.dir}/eval`],
          deps,
          plan.judged ? { cache: false } : {},
        ),
      }),
    );
  }
  const allRuns = { projects: runs, target: 'train' };
  projects[root] = {
    name: plan.name,
    projectType: 'application',
    targets: {
      report: target(
        configPath,
        'report',
        plan.runs.map((r) => r.hashes.eval).join(','),
        [`reports/${plan.name}`],
        [allRuns],
      ),
      compare: { command: `tsx ${CLI} compare --config ${configPath}`, dependsOn: [allRuns], cache: false },
      // the whole experiment in one `spo run`: its stage tasks on worker processes sized to the machine
      // (cli/src/stage-workers.ts; faster than a process per stage, the same numbers), one experiment at
      // a time, since each already fills the cores
      run: { command: `tsx ${CLI} run --config ${configPath}`, cache: false, parallelism: false },
    },
  };
  return projects;
}

/**
 * An experiment that does not plan (invalid config, missing model or data) is one project under its
 * folder's name whose targets run `spo plan` on it, so they fail with the config's own message.
 */
function brokenExperimentProject(configPath, error) {
  const name = basename(dirname(configPath));
  const explain = { command: `tsx ${CLI} plan --config ${configPath}`, cache: false };
  const lines = error
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const why = (lines.length > 1 && lines[0].endsWith(':') ? lines.slice(1) : lines).slice(0, 3).join('; ');
  console.warn(
    `[spo-experiments] ${name} cannot run until this is fixed (the other experiments are unaffected): ${why}`,
  );
  return {
    [dirname(configPath)]: {
      name,
      projectType: 'application',
      targets: { run: explain, report: explain, compare: explain },
    },
  };
}

const createNodesV2 = [
  'experiments/*/config.json',
  (configFiles, _options, context) => {
    const plans = readPlans(configFiles, context.workspaceRoot);
    return configFiles.map((file, i) => [
      file,
      {
        projects:
          plans[i].error === undefined
            ? experimentProjects(file, plans[i])
            : brokenExperimentProject(file, plans[i].error),
      },
    ]);
  },
];

module.exports = { name: 'spo-experiments', createNodesV2, createNodes: createNodesV2, readPlans };
