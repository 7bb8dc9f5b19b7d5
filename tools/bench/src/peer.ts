// The PyTorch peer (tools/bench/peer/peer.py): for each case, forward passes of the shapes ours made,
// the same loss structure and optimiser, in PyTorch on the same CPU. One peer process runs per thread
// configuration (intra-op threads × OpenBLAS threads, which must be set before torch loads); each case
// is timed on all of them right after ours, and the fastest is the one compared with. Skipped with the
// reason when Python or torch is absent.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface, type Interface } from 'node:readline';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchSize, ForwardShape } from './cases.js';
import type { RunBudget } from './measure.js';

export interface PeerTiming {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  torch: string;
  threads: number;
  blas_threads: number;
}

/**
 * Debian's python3-torch installs into the system Python, not a pyenv one first on PATH: $SPO_PEER_PYTHON overrides.
 */
const PYTHON = process.env.SPO_PEER_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../peer/peer.py', import.meta.url));

interface Worker {
  process: ChildProcessByStdio<Writable, Readable, null>;
  lines: AsyncIterator<string>;
  reader: Interface;
  label: string;
}

/** A case on every configuration: the fastest's timing, which it was, and every configuration's median. */
export type PeerResult = PeerTiming & { config: string; all: string };

export class Peer {
  private constructor(private readonly workers: Worker[]) {}

  /** Start one peer per thread configuration, or say why there is none. */
  static start(): Peer | { skipped: string } {
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      return {
        skipped:
          `${PYTHON} cannot import torch (${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)}); ` +
          `install python3-torch and libopenblas0-pthread (Debian), or set $SPO_PEER_PYTHON`,
      };
    }
    const cores = availableParallelism();
    const counts = [...new Set([1, cores])];
    const workers = counts.flatMap((threads) =>
      counts.map((blas) => {
        const child = spawn(PYTHON, [SCRIPT, '--threads', String(threads)], {
          env: { ...process.env, OPENBLAS_NUM_THREADS: String(blas), OMP_NUM_THREADS: String(threads) },
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        const reader = createInterface({ input: child.stdout });
        return {
          process: child,
          reader,
          lines: reader[Symbol.asyncIterator](),
          label: `${threads} intra-op × ${blas} BLAS threads`,
        };
      }),
    );
    return new Peer(workers);
  }

  /** The case on every configuration in turn; the fastest median wins. */
  async time(request: {
    size: BenchSize;
    vocab: number;
    degrees: number;
    case: string;
    forwards: ForwardShape[];
    warmup: RunBudget;
    repeats: RunBudget;
  }): Promise<PeerResult> {
    const results: (PeerTiming & { config: string })[] = [];
    for (const w of this.workers) {
      w.process.stdin.write(`${JSON.stringify(request)}\n`);
      const { value, done } = await w.lines.next();
      if (done) throw new Error(`the PyTorch peer (${w.label}) exited`);
      results.push({ ...(JSON.parse(value) as PeerTiming), config: w.label });
    }
    const best = results.reduce((a, b) => (b.median_ms < a.median_ms ? b : a));
    return { ...best, all: results.map((r) => `${r.config}: ${r.median_ms.toFixed(1)}`).join('; ') };
  }

  stop(): void {
    for (const w of this.workers) {
      w.reader.close();
      w.process.stdin.end();
    }
  }
}
