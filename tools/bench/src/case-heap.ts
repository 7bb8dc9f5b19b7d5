// The WASM heap one bench case needs: the case run twice in a fresh process (the heap only grows, so in
// the bench's own process it would show the largest case so far), then the heap's size and the RSS.
// The heap holds the model, its optimiser state and the data besides the case's own peak, so the
// figure is what a run of this size needs, not the case's tensors alone. tfjs's own count of tensor
// bytes is no measure since wasm-kernels.ts lets saved tensors share buffers (it counts each tensor).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, wasmHeapBytes, type BackendRequest } from '@spo/engine';
import { benchCases, benchData, type BenchSize } from './cases.js';

export interface CaseHeap {
  heapMiB?: number;
  rssMiB: number;
}

const SCRIPT = fileURLToPath(import.meta.url);

/** Run `caseName` of `size` in a child process; undefined (with the reason logged) when it fails. */
export function caseHeap(
  size: BenchSize,
  degrees: number,
  caseName: string,
  backend: BackendRequest | undefined,
  log: (line: string) => void,
): CaseHeap | undefined {
  const args = ['--import', 'tsx', SCRIPT, JSON.stringify({ size, degrees, caseName, backend })];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    log(`[bench] ${size.name} ${caseName}: the heap probe failed (${r.stderr.trim().split('\n').at(-1)})`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as CaseHeap;
}

if (process.argv[1] === SCRIPT) {
  const { size, degrees, caseName, backend } = JSON.parse(process.argv[2]) as {
    size: BenchSize;
    degrees: number;
    caseName: string;
    backend?: BackendRequest;
  };
  await initBackend(backend, () => {});
  const { cases } = benchCases(size, degrees, benchData());
  const c = cases.find((x) => x.name === caseName);
  if (!c) throw new Error(`no bench case "${caseName}"; cases: ${cases.map((x) => x.name).join(', ')}`);
  c.run();
  c.run();
  const heap = wasmHeapBytes();
  console.log(
    JSON.stringify({
      heapMiB: heap === undefined ? undefined : Math.round(heap / 2 ** 20),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
}
