// `nx run bench:sweep`: one sweep from scratch under each layout of processes × BLAS threads, with its
// wall time, and whether its results.csv is the first layout's on the same numerics path (every column
// but tokens/s and the commit). Layouts:
//   run:JxT     `spo run --jobs J`: J long-lived worker processes, T BLAS threads each
//   stages:JxT  one process per stage, as Nx runs the experiment's targets, J stages at once (Nx's
//               --parallel, 3 by default), T BLAS threads each
// T = 1 is a numerics path of its own (one-thread OpenBLAS rounds some products differently), so its
// numbers are compared only with another one-thread layout.
// Options: --config experiments/quickstart/config.json --set seeds=[1,2,3,4] --layouts run:1x2,run:2x2,...
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { initBackend } from '@spo/engine';
import { loadExperimentConfig, numericsPath, parseOverride, planExperiment, stageTasks } from '@spo/experiment';
import { markdownTable, readResultsCsv } from '@spo/reports';

const o = new Command()
  .option('--config <path>', 'experiment config', 'experiments/quickstart/config.json')
  .option('--set <key=value>', 'config override (repeatable)', (v: string, all: string[]) => [...all, v], [])
  .option('--layouts <list>', 'layouts to time', 'run:1x2,run:2x2,stages:2x2,stages:3x2,run:2x1,run:1x1')
  .parse()
  .opts<{ config: string; set: string[]; layouts: string }>();
const sets = o.set.length ? o.set : ['seeds=[1,2,3,4]'];

interface Layout {
  name: string;
  kind: 'run' | 'stages';
  jobs: number;
  threads: number;
}
const layouts: Layout[] = o.layouts.split(',').map((name) => {
  const m = /^(run|stages):(\d+)x(\d+)$/.exec(name.trim());
  if (!m) throw new Error(`--layouts: "${name}" is not run:JxT or stages:JxT (J processes, T BLAS threads each)`);
  return { name, kind: m[1] as Layout['kind'], jobs: Number(m[2]), threads: Number(m[3]) };
});

function spo(args: string[], dir: string, threads: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join('node_modules', '.bin', 'tsx'),
      [
        'packages/cli/src/main.ts',
        ...args,
        '--config',
        o.config,
        ...sets.flatMap((s) => ['--set', s]),
        '--run-dir',
        join(dir, 'runs'),
        '--report-dir',
        join(dir, 'report'),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CI: 'true', OPENBLAS_NUM_THREADS: String(threads), SPO_CACHE_DIR: join(dir, 'cache') },
      },
    );
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`spo ${args.join(' ')}: ${code}\n${tail}`)),
    );
  });
}

/** The plan's stage tasks, each as the `spo` commands Nx's targets run, `jobs` tasks at once. */
async function perStageProcesses(dir: string, jobs: number, threads: number): Promise<void> {
  const config = loadExperimentConfig(o.config, sets.map(parseOverride));
  const plan = planExperiment(config, join(dir, 'runs'), 'any');
  const commands = (t: ReturnType<typeof stageTasks>[number]): string[][] => {
    if (t.kind === 'run') return [['train', '--run', t.run]];
    const variant = t.variant ? ['--variant', t.variant] : [];
    return [
      ['data', ...variant],
      ['sft', ...variant],
      ...(config.rewardModel ? [['train', '--stage', 'rm', ...variant]] : []),
    ];
  };
  const pending = stageTasks(plan);
  const done = new Set<string>();
  let running = 0;
  await new Promise<void>((resolve, reject) => {
    const next = () => {
      if (pending.length === 0 && running === 0) return resolve();
      while (running < jobs) {
        const i = pending.findIndex((t) => t.kind === 'variant' || done.has(t.after));
        if (i < 0) return;
        const [task] = pending.splice(i, 1);
        running += 1;
        (async () => {
          for (const args of commands(task)) await spo(args, dir, threads);
        })().then(() => {
          running -= 1;
          if (task.kind === 'variant') done.add(task.variant);
          next();
        }, reject);
      }
    };
    next();
  });
  await spo(['report'], dir, threads);
}

const TIMING = new Set(['train_tokens_per_s', 'commit']);
const comparable = (dir: string) =>
  JSON.stringify(
    readResultsCsv(join(dir, 'report', 'results.csv')).map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k))),
    ),
  );

const backend = await initBackend(undefined, () => {});
console.error(`[sweep] ${o.config} ${sets.join(' ')} on ${numericsPath(backend)}; layouts: ${o.layouts}`);
const rows: string[][] = [];
const firstOnPath = new Map<boolean, { name: string; results: string }>();
let firstSeconds: number | undefined;
const root = mkdtempSync(join(tmpdir(), 'spo-sweep-'));
try {
  for (const layout of layouts) {
    const dir = join(root, layout.name.replace(':', '-'));
    const started = performance.now();
    if (layout.kind === 'run') await spo(['run', '--jobs', String(layout.jobs)], dir, layout.threads);
    else await perStageProcesses(dir, layout.jobs, layout.threads);
    const seconds = (performance.now() - started) / 1000;
    const results = comparable(dir);
    const oneThread = layout.threads === 1;
    firstSeconds ??= seconds;
    const first = firstOnPath.get(oneThread) ?? { name: layout.name, results };
    firstOnPath.set(oneThread, first);
    const same = first.name === layout.name ? '(reference)' : results === first.results ? `yes (${first.name})` : 'NO';
    rows.push([
      layout.name,
      String(layout.jobs),
      String(layout.threads),
      (seconds / 60).toFixed(2),
      (seconds / firstSeconds).toFixed(2),
      oneThread ? 'one-thread' : 'several threads',
      same,
    ]);
    console.error(`[sweep] ${layout.name}: ${(seconds / 60).toFixed(2)} min, same numbers: ${same}`);
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(
  markdownTable(
    ['layout', 'processes', 'BLAS threads each', 'wall min', 'vs first', 'numerics', 'results.csv identical'],
    rows,
  ),
);
