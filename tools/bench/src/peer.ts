// The PyTorch peer (tools/bench/peer/peer.py): the same model, batches and steps in PyTorch on the same
// CPU, for the ours / PyTorch ratio. Skipped with the reason when Python or torch is absent.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchSize } from './cases.js';

export interface PeerTiming {
  size: string;
  case: string;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  torch: string;
}

/** Debian's python3-torch installs into the system Python, not a pyenv one first on PATH: $SPO_PEER_PYTHON overrides. */
const PYTHON = process.env.SPO_PEER_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../peer/peer.py', import.meta.url));

export function runPeer(sizes: BenchSize[], o: { repeats: number; warmup: number; degrees: number; threads: number }): { timings: PeerTiming[] } | { skipped: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { skipped: `${PYTHON} cannot import torch (${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)}); install python3-torch and libopenblas0-pthread (Debian), or set $SPO_PEER_PYTHON` };
  }
  const run = spawnSync(PYTHON, [SCRIPT, '--sizes', JSON.stringify(sizes), '--repeats', String(o.repeats), '--warmup', String(o.warmup), '--degrees', String(o.degrees), '--threads', String(o.threads)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) return { skipped: `the PyTorch peer exited with ${run.status}` };
  return { timings: run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PeerTiming) };
}
