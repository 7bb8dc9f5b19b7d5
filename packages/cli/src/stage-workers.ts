// `spo run --jobs n`: an experiment's stage tasks (experiment's stage-tasks.ts) on n long-lived worker
// processes, so a sweep of small runs keeps every core busy and pays for a process start (tsx, tfjs,
// WASM: ~3 s of CPU) once per worker instead of once per stage. Each worker is `spo stage-worker` with
// the command's own options; it plans the experiment itself and must compute on the same numerics path
// as this process (SPO_SUBMITTED_NUMERICS), so every stage hash and every number is a one-process
// run's (cli/src/parallel-runs.test.ts). Tasks go to the first idle worker in plan order once their
// variant is done; a failed task fails only the runs that need it, and the command fails at the end,
// naming each. A killed command leaves each stage to resume, like any other.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { numericsPath, runStageTask, stageTasks, type StageContext, type StageTask } from '@spo/experiment';

type ToWorker = { task: StageTask } | { exit: true };
type FromWorker = { ready: true } | { done: string } | { failed: string; message: string };

/**
 * BLAS threads per worker: the cores shared out, but never one unless the user asks for it
 * (OPENBLAS_NUM_THREADS), because one thread rounds some products its own way and is a numerics path
 * of its own (docs/architecture.md §7); the workers would then not reproduce a one-process run.
 */
export function blasThreadsPerWorker(jobs: number, cores = availableParallelism()): number {
  return cores < 2 ? 1 : Math.max(2, Math.floor(cores / jobs));
}

/** The worker's side: plan once, then run each task the parent sends until it says exit. */
export function serveStageTasks(ctx: StageContext): void {
  const send = (m: FromWorker) => process.send!(m);
  process.on('message', (m: ToWorker) => {
    if ('exit' in m) {
      process.disconnect();
      return;
    }
    runStageTask(ctx, m.task).then(
      () => send({ done: m.task.label }),
      (e: Error) => send({ failed: m.task.label, message: e.message }),
    );
  });
  send({ ready: true });
}

export interface WorkerPoolOptions {
  jobs: number;
  /** The `spo stage-worker` arguments: the config and every option the command was given. */
  workerArgs: string[];
}

export async function runOnWorkers(ctx: StageContext, o: WorkerPoolOptions): Promise<void> {
  const { log } = ctx;
  const numerics = numericsPath(ctx.backend);
  const pending = stageTasks(ctx.plan);
  const variantsDone = new Set<string>();
  const variantsFailed = new Set<string>();
  const failures: string[] = [];
  const threads = process.env.OPENBLAS_NUM_THREADS ?? String(blasThreadsPerWorker(o.jobs));
  const started = performance.now();
  const total = pending.length;
  log(`[jobs] ${total} tasks on ${o.jobs} worker processes, ${threads} BLAS threads each`);

  await new Promise<void>((resolve) => {
    const alive = new Set<ChildProcess>();
    // the workers that said ready, and the task each runs (undefined: idle)
    const busy = new Map<ChildProcess, StageTask | undefined>();
    let finished = 0;
    const ready = (t: StageTask) => t.kind === 'variant' || variantsDone.has(t.after);
    const settle = (task: StageTask, error?: string) => {
      finished += 1;
      if (error !== undefined) {
        failures.push(`${task.label}: ${error}`);
        if (task.kind === 'variant') variantsFailed.add(task.variant);
      } else if (task.kind === 'variant') variantsDone.add(task.variant);
      const minutes = ((performance.now() - started) / 60_000).toFixed(1);
      const what = error === undefined ? '' : `; ${error.startsWith('not run') ? 'not run' : 'failed'}: ${task.label}`;
      log(`[jobs] ${finished}/${total} tasks finished, ${minutes} min${what}`);
    };
    const dispatch = () => {
      const orphans = pending.filter((t) => t.kind === 'run' && variantsFailed.has(t.after));
      for (const t of orphans) {
        pending.splice(pending.indexOf(t), 1);
        settle(t, `not run: its data variant ${t.kind === 'run' && t.after ? `"${t.after}" ` : ''}failed`);
      }
      for (const [worker, task] of busy) {
        if (task !== undefined || !worker.connected) continue;
        const next = pending.findIndex(ready);
        if (next < 0) break;
        const [t] = pending.splice(next, 1);
        busy.set(worker, t);
        worker.send({ task: t } satisfies ToWorker);
      }
      if (pending.length === 0 && [...busy.values()].every((t) => t === undefined)) {
        for (const worker of busy.keys()) if (worker.connected) worker.send({ exit: true } satisfies ToWorker);
        resolve();
      }
    };
    const start = (index: number) => {
      const worker = fork(process.argv[1], ['stage-worker', ...o.workerArgs], {
        execArgv: process.execArgv,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, OPENBLAS_NUM_THREADS: threads, SPO_SUBMITTED_NUMERICS: numerics },
      });
      alive.add(worker);
      for (const stream of [worker.stdout!, worker.stderr!])
        createInterface({ input: stream }).on('line', (line) => log(`[job ${index}] ${line}`));
      worker.on('message', (m: FromWorker) => {
        if ('ready' in m) busy.set(worker, undefined);
        else {
          settle(busy.get(worker)!, 'failed' in m ? m.message : undefined);
          busy.set(worker, undefined);
        }
        dispatch();
      });
      worker.on('exit', (code, signal) => {
        const task = busy.get(worker);
        const how = signal ?? `code ${code}`;
        alive.delete(worker);
        busy.delete(worker);
        if (task !== undefined) {
          settle(task, `worker ${index} exited (${how}) while running it`);
          if (pending.length > 0) start(index);
        } else if (alive.size === 0 && pending.length > 0) {
          for (const t of pending.splice(0)) settle(t, `not run: worker ${index} exited (${how}) before it`);
        }
        dispatch();
      });
    };
    const stopWorkers = (signal: NodeJS.Signals) => () => {
      for (const worker of alive) worker.kill(signal);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stopWorkers('SIGINT'));
    process.once('SIGTERM', stopWorkers('SIGTERM'));
    for (let i = 0; i < Math.min(o.jobs, total); i++) start(i + 1);
    if (total === 0) resolve();
  });
  if (failures.length > 0)
    throw new Error(`${failures.length} of ${total} tasks failed (the others are done):\n  ${failures.join('\n  ')}`);
}
