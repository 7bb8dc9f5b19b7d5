// `nx run bench:run`: time the training and sampling operations on each model size, and the same
// operations in PyTorch on the same CPU (the peer; --no-peer skips it), print a table with the ratio
// ours / PyTorch and write reports/bench/bench.csv.
// Options: --sizes quickstart,small  --repeats 7  --warmup 2  --backend wasm  --profile dpo-step
//          --soak 500 (run the DPO step that many times and print tensors and memory every 50)
//          --also webgpu,cpu (more backends, each a column of its own; one that cannot start says why)
import { join } from 'node:path';
import { Command, Option } from 'commander';
import Papa from 'papaparse';
import { BACKEND_NAMES, initBackend, nativeMatMulOn, switchBackend, webGpuAdapter, writeFileAtomic, type BackendName, type BackendRequest } from '@spo/engine';
import { markdownTable } from '@spo/reports';
import { benchCases, type BenchSize } from './cases.js';
import { measure } from './measure.js';
import { runPeer } from './peer.js';
import { profileKernels } from './profile.js';
import { soak } from './soak.js';

const SIZES: Record<string, BenchSize> = {
  /** The quickstart's model and preference batch. */
  quickstart: { name: 'quickstart', vocabSize: 70, dModel: 64, nLayers: 2, nHeads: 4, batch: 16, length: 64 },
  /** The size ENGINE-NOTES.md compares with PyTorch: 4 layers, d 128, vocab 512, 16 x 64 tokens. */
  small: { name: 'small', vocabSize: 512, dModel: 128, nLayers: 4, nHeads: 4, batch: 16, length: 64 },
};

const o = new Command('bench')
  .option('--sizes <names>', `comma-separated: ${Object.keys(SIZES).join(', ')}`, Object.keys(SIZES).join(','))
  .option('--repeats <n>', 'timed runs per case', (v) => Number(v), 7)
  .option('--warmup <n>', 'discarded runs per case', (v) => Number(v), 2)
  .option('--degrees <k>', 'SPO degree levels K', (v) => Number(v), 4)
  .option('--out <dir>', 'where bench.csv goes', 'reports/bench')
  .option('--no-peer', 'skip the PyTorch peer')
  .option('--threads <n>', 'PyTorch threads for the peer', (v) => Number(v), 2)
  .option('--profile <case>', 'also print the per-kernel time of one run of this case (e.g. dpo-step)')
  .option('--soak <runs>', 'also run the DPO step this many times, checking that tensors and memory stay flat', (v) => Number(v))
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .option('--also <names>', `more backends to time, each a column (${BACKEND_NAMES.join(', ')})`, '')
  .parse()
  .opts<{ sizes: string; repeats: number; warmup: number; degrees: number; out: string; peer: boolean; threads: number; profile?: string; soak?: number; backend?: BackendRequest; also: string }>();

const backend = await initBackend(o.backend, (line) => console.error(line));
const rows: Record<string, string | number>[] = [];
const extra = o.also.split(',').filter(Boolean).map((name) => {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new Error(`--also: unknown backend "${name}"; known: ${BACKEND_NAMES.join(', ')}`);
  return name as BackendName;
}).filter((name) => name !== backend.name);
const otherColumns: string[] = [];
for (const name of extra) {
  const failed = await switchBackend(name);
  if (failed) {
    console.error(`[bench] ${name}: not timed (${failed})`);
    continue;
  }
  otherColumns.push(name === 'webgpu' && webGpuAdapter() ? `webgpu (${webGpuAdapter()!.software ? 'software: ' : ''}${webGpuAdapter()!.description || webGpuAdapter()!.device})` : name);
  console.error(`[bench] timing on ${otherColumns.at(-1)} as well`);
  for (const sizeName of o.sizes.split(',')) {
    const cases = benchCases(SIZES[sizeName], o.degrees);
    for (const c of cases) {
      const m = measure(c.run, o.warmup, o.repeats);
      rows.push({ backend: name, matmul: 'backend', size: sizeName, case: c.name, median_ms: +m.medianMs.toFixed(1), min_ms: +m.minMs.toFixed(1), max_ms: +m.maxMs.toFixed(1), repeats: m.repeats, tokens: c.tokens, tokens_per_s: Math.round(c.tokens / (m.medianMs / 1000)), tensor_growth: m.tensorGrowth, rss_mib: Math.round(m.rssMiB) });
      console.error(`[bench] ${name} ${sizeName} ${c.name}: ${m.medianMs.toFixed(1)} ms`);
    }
    cases.forEach((c) => c.dispose());
  }
}
if (extra.length) await switchBackend(backend.name);
for (const name of o.sizes.split(',')) {
  const size = SIZES[name];
  if (!size) throw new Error(`--sizes: unknown size "${name}"; known: ${Object.keys(SIZES).join(', ')}`);
  const cases = benchCases(size, o.degrees);
  for (const c of cases) {
    if (o.profile && c.name.startsWith(o.profile)) {
      c.run();
      const { totalMs, kernels } = await profileKernels(c.run);
      console.error(`[bench] ${size.name} ${c.name}: one profiled run ${totalMs.toFixed(0)} ms; kernels by time (custom-gradient ops include the kernels they call):`);
      console.error(markdownTable(['kernel', 'input shapes', 'calls', 'ms'], kernels.slice(0, 20).map((k) => [k.kernel, k.shapes, String(k.calls), k.ms.toFixed(1)])));
    }
    const m = measure(c.run, o.warmup, o.repeats);
    rows.push({
      backend: backend.name, matmul: nativeMatMulOn() ? 'native' : 'backend', size: size.name, case: c.name, median_ms: +m.medianMs.toFixed(1), min_ms: +m.minMs.toFixed(1), max_ms: +m.maxMs.toFixed(1),
      repeats: m.repeats, tokens: c.tokens, tokens_per_s: Math.round(c.tokens / (m.medianMs / 1000)), tensor_growth: m.tensorGrowth, rss_mib: Math.round(m.rssMiB),
    });
    console.error(`[bench] ${size.name} ${c.name}: ${m.medianMs.toFixed(1)} ms (min ${m.minMs.toFixed(1)}, max ${m.maxMs.toFixed(1)}), tensors +${m.tensorGrowth}`);
  }
  if (o.soak) {
    const samples = soak(cases.find((c) => c.name === 'dpo-step')!.run, o.soak, 50);
    console.error(`[bench] ${size.name} dpo-step x ${o.soak}: tensors, RSS and WASM heap after run n`);
    console.error(markdownTable(['run', 'tensors', 'RSS MiB', 'WASM heap MiB'], samples.map((x) => [String(x.run), String(x.tensors), String(x.rssMiB), String(x.wasmHeapMiB ?? '-')])));
  }
  cases.forEach((c) => c.dispose());
  const get = (n: string) => rows.find((r) => r.size === size.name && String(r.case).startsWith(n))!;
  const dpo = get('dpo-step'), spo = get('dpo-spo-step');
  const stepRatio = Number(spo.median_ms) / Number(dpo.median_ms), tokenRatio = Number(spo.tokens) / Number(dpo.tokens);
  console.error(`[bench] ${size.name}: DPO+SPO / DPO step time ${stepRatio.toFixed(2)}x for ${tokenRatio.toFixed(2)}x the tokens (bar: <= ${(1.1 * tokenRatio).toFixed(2)}x)`);
}
const peer = o.peer ? runPeer(o.sizes.split(',').map((n) => SIZES[n]), o) : { skipped: '--no-peer' };
if ('skipped' in peer) console.error(`[bench] PyTorch peer skipped: ${peer.skipped}`);
else {
  for (const r of rows) {
    const p = r.backend === backend.name ? peer.timings.find((t) => t.size === r.size && t.case === r.case) : undefined;
    if (!p) continue;
    r.pytorch_median_ms = +p.median_ms.toFixed(1);
    r.ratio_vs_pytorch = +(Number(r.median_ms) / p.median_ms).toFixed(2);
  }
}
const path = join(o.out, 'bench.csv');
writeFileAtomic(path, Papa.unparse(rows) + '\n');
const main = rows.filter((r) => r.backend === backend.name);
const others = extra.filter((name) => rows.some((r) => r.backend === name));
console.log(markdownTable(
  ['size', 'case', `${backend.name} median ms [min, max]`, 'PyTorch ms', 'ours / PyTorch', 'tokens/s', 'tensors +', 'RSS MiB', ...otherColumns.map((c) => `${c} ms`)],
  main.map((r) => [String(r.size), String(r.case), `${r.median_ms} [${r.min_ms}, ${r.max_ms}]`, String(r.pytorch_median_ms ?? 'not run'), r.ratio_vs_pytorch === undefined ? 'not run' : `${r.ratio_vs_pytorch}x`, String(r.tokens_per_s), String(r.tensor_growth), String(r.rss_mib),
    ...others.map((name) => String(rows.find((x) => x.backend === name && x.size === r.size && x.case === r.case)?.median_ms ?? 'not run'))]),
));
console.error(`[bench] ${backend.name}, matmul: ${backend.matmul}; wrote ${path}`);
