// `nx run bench:memory`: the largest DPO batch (pairs × tokens per sequence) whose training step fits
// the WASM backend's 4 GiB heap, for a model size, with and without gradient checkpointing. An
// allocation failure aborts the WASM module for good, so each probe is a process of its own; the batch
// doubles until a step fails, then a binary search finds the largest that passes.
// Options: --size small|quickstart  --length 64  --max-pairs 4096   (a probe: --probe <pairs> [--checkpointing])
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { initBackend, wasmHeapBytes } from '@spo/engine';
import { initCausalLM } from '@spo/model';
import { stepGradients } from '@spo/trainer';
import { markdownTable } from '@spo/reports';
import { randomDpoLoss } from './random-dpo-loss.js';

const SIZES: Record<string, { dModel: number; nLayers: number; nHeads: number; vocab: number }> = {
  quickstart: { dModel: 64, nLayers: 2, nHeads: 4, vocab: 70 },
  small: { dModel: 128, nLayers: 4, nHeads: 4, vocab: 512 },
};

const o = new Command()
  .option('--size <name>', Object.keys(SIZES).join(' | '), 'small')
  .option('--length <n>', 'tokens per sequence (the first half is the prompt)', (v) => Number(v), 64)
  .option('--max-pairs <n>', 'largest batch tried', (v) => Number(v), 4096)
  .option('--probe <pairs>', 'internal: run one step at this batch and exit 0 if it fits', (v) => Number(v))
  .option('--checkpointing', 'internal: with gradient checkpointing')
  .parse()
  .opts<{ size: string; length: number; maxPairs: number; probe?: number; checkpointing?: boolean }>();

const size = SIZES[o.size];
if (!size) throw new Error(`--size: unknown "${o.size}"; known: ${Object.keys(SIZES).join(', ')}`);

if (o.probe !== undefined) {
  await initBackend('wasm', () => {});
  const T = o.length;
  const model = initCausalLM(
    {
      vocabSize: size.vocab,
      maxPositions: T,
      dModel: size.dModel,
      nLayers: size.nLayers,
      nHeads: size.nHeads,
      layerNormEps: 1e-5,
    },
    1,
  );
  model.gradientCheckpointing = !!o.checkpointing;
  const { loss } = randomDpoLoss(model, o.probe, T, 'bench/memory');
  const g = stepGradients(() => ({ loss: loss(), metrics: {} }), model.trainableParams(), { clipNorm: 1 }, 0, [[]]);
  console.log(JSON.stringify({ heapMiB: Math.round((wasmHeapBytes() ?? 0) / 2 ** 20), loss: g.metrics.loss }));
  process.exit(0);
}

const script = fileURLToPath(import.meta.url);
function fits(pairs: number, checkpointing: boolean): { ok: boolean; heapMiB?: number } {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--size',
      o.size,
      '--length',
      String(o.length),
      '--probe',
      String(pairs),
      ...(checkpointing ? ['--checkpointing'] : []),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return { ok: false };
  return { ok: true, heapMiB: JSON.parse(r.stdout.trim().split('\n').at(-1)!).heapMiB };
}

const rows: string[][] = [];
for (const checkpointing of [false, true]) {
  let good = 0,
    goodHeap = 0,
    bad = 0;
  for (let pairs = 8; pairs <= o.maxPairs; pairs *= 2) {
    const r = fits(pairs, checkpointing);
    console.error(
      `[memory] ${o.size}, ${pairs} pairs x ${o.length} tokens, checkpointing ${checkpointing}: ` +
        `${r.ok ? `fits (heap ${r.heapMiB} MiB)` : 'does not fit'}`,
    );
    if (!r.ok) {
      bad = pairs;
      break;
    }
    good = pairs;
    goodHeap = r.heapMiB!;
  }
  while (bad && bad - good > Math.max(1, good / 16)) {
    const mid = Math.round((good + bad) / 2);
    const r = fits(mid, checkpointing);
    console.error(`[memory] ${o.size}, ${mid} pairs: ${r.ok ? `fits (heap ${r.heapMiB} MiB)` : 'does not fit'}`);
    if (r.ok) [good, goodHeap] = [mid, r.heapMiB!];
    else bad = mid;
  }
  rows.push([
    checkpointing ? 'with' : 'without',
    `${good} pairs (${2 * good} sequences) x ${o.length}`,
    String(2 * good * o.length),
    String(goodHeap),
    bad ? `${bad} pairs` : `none up to ${o.maxPairs}`,
  ]);
}
console.log(`${o.size} model, DPO step on wasm, 4 GiB heap`);
console.log(
  markdownTable(
    ['gradient checkpointing', 'largest batch that fits', 'tokens', 'heap after it MiB', 'smallest that failed'],
    rows,
  ),
);
