// `nx run bench:run`: time each case of a preference-optimisation run (the trainer's SFT, DPO and
// DPO+SPO steps, the reference pass, sampling; cases.ts) at each model size on the quickstart's data,
// under each fused-kernel setting in turn (on: whole GPT-2 blocks and the optimiser step fused; ops:
// each op fused alone; off: composed tfjs ops), and right after, the same forward shapes and steps in
// PyTorch on the same CPU at every thread configuration (the peer; the fastest is compared). Prints per
// case: ours / fastest PyTorch for each setting, achieved GFLOP/s beside the machine's measured matmul
// peak, the WASM heap and RSS a process running the case needs (case-heap.ts), and where the time goes
// (products, other kernels, framework overhead, kernels launched); per size and setting, the DPO+SPO /
// DPO step ratio, paired (the two steps alternate; the median of the pairs' ratios with its
// distribution-free interval, measure.ts), with a row per response and with responses packed. Ours and
// the peer take turns, case by case, in rounds: a slow spell of the machine (a shared VM's neighbours)
// then slows both sides of a round's ratio, and the ratio reported is the median of the rounds'.
// Writes reports/bench/bench.csv.
// Options: --sizes quickstart,small  --repeats 7  --repeat-ms 500  --warmup 2  --warmup-ms 1000  --rounds 3
//          --ratio-pairs 20  --backend wasm  --fused on,ops,off
//          --profile dpo-step  --soak 500 (run the DPO step that many times and print tensors and
//          memory every 50)  --also webgpu,cpu (more backends, each a column of its own; one that
//          cannot start says why)
import { join } from 'node:path';
import { Command, Option } from 'commander';
import Papa from 'papaparse';
import {
  tf,
  BACKEND_NAMES,
  initBackend,
  matMul2d,
  nativeMatMulOn,
  fusedKernelsOn,
  fusedBlocksUnavailable,
  fusedSetting,
  setFusedKernels,
  setPackedResponses,
  switchBackend,
  webGpuAdapter,
  writeFileAtomic,
  type BackendName,
  type BackendRequest,
  type FusedSetting,
} from '@spo/engine';
import { markdownTable } from '@spo/reports';
import { benchCases, benchData, describeForwards, type BenchCase, type BenchSize } from './cases.js';
import {
  measure,
  median,
  pairedRatio,
  TIMED_DEFAULT,
  WARM_UP_DEFAULT,
  type Measurement,
  type RunBudget,
} from './measure.js';
import { caseHeap } from './case-heap.js';
import { Peer, type PeerResult } from './peer.js';
import { profileKernels, timeSplit } from './profile.js';
import { soak } from './soak.js';

/** Pause before timing ours after the peer ran, so its spinning worker threads have gone to sleep. */
const PEER_SETTLE_MS = 500;

const SIZES: Record<string, BenchSize> = {
  /** The quickstart's model and preference batch. */
  quickstart: { name: 'quickstart', dModel: 64, nLayers: 2, nHeads: 4, batch: 16 },
  /** 4 layers, d 128, as ENGINE-NOTES.md compares with PyTorch, on the same data. */
  small: { name: 'small', dModel: 128, nLayers: 4, nHeads: 4, batch: 16 },
};

const o = new Command('bench')
  .option('--sizes <names>', `comma-separated: ${Object.keys(SIZES).join(', ')}`, Object.keys(SIZES).join(','))
  .option('--repeats <n>', 'timed runs per case, at least', (v) => Number(v), TIMED_DEFAULT.runs)
  .option(
    '--repeat-ms <ms>',
    'and timed runs until this long has passed (both sides)',
    (v) => Number(v),
    TIMED_DEFAULT.ms,
  )
  .option('--warmup <n>', 'discarded runs per case, at least', (v) => Number(v), WARM_UP_DEFAULT.runs)
  .option(
    '--warmup-ms <ms>',
    'and discarded runs until this long has passed (both sides; V8 compiles hot JavaScript over ~20 runs)',
    (v) => Number(v),
    WARM_UP_DEFAULT.ms,
  )
  .option(
    '--rounds <n>',
    "turns of ours then the peer per case; ratios are the median of the rounds'",
    (v) => Number(v),
    3,
  )
  .option('--degrees <k>', 'SPO degree levels K', (v) => Number(v), 4)
  .option(
    '--ratio-pairs <n>',
    'interleaved DPO / DPO+SPO step pairs for the paired DPO+SPO / DPO ratio (even: each step first equally often)',
    (v) => Number(v),
    20,
  )
  .option('--out <dir>', 'where bench.csv goes', 'reports/bench')
  .option('--no-peer', 'skip the PyTorch peer')
  .option('--profile <case>', 'also print the per-kernel time of one run of this case (e.g. dpo-step)')
  .option('--soak <runs>', 'also run the DPO step this many times, checking that tensors and memory stay flat', (v) =>
    Number(v),
  )
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .option('--also <names>', `more backends to time, each a column (${BACKEND_NAMES.join(', ')})`, '')
  .option('--fused <settings>', 'fused-kernel settings to time, each in turn (on, ops, off; wasm only)', 'on,ops,off')
  .parse()
  .opts<{
    sizes: string;
    repeats: number;
    repeatMs: number;
    warmup: number;
    warmupMs: number;
    rounds: number;
    degrees: number;
    ratioPairs: number;
    out: string;
    peer: boolean;
    profile?: string;
    soak?: number;
    backend?: BackendRequest;
    also: string;
    fused: string;
  }>();

if (!Number.isInteger(o.rounds) || o.rounds < 1)
  throw new Error(`--rounds ${o.rounds}: use a whole number of rounds, 1 or more`);
if (!Number.isInteger(o.ratioPairs) || o.ratioPairs < 6 || o.ratioPairs % 2)
  throw new Error(
    `--ratio-pairs ${o.ratioPairs}: use an even number, 6 or more (fewer give no 95% interval; an even ` +
      `count puts each step first equally often)`,
  );
if (!(o.warmup >= 0 && o.warmupMs >= 0 && o.repeats >= 1 && o.repeatMs >= 0))
  throw new Error(
    `--warmup ${o.warmup} --warmup-ms ${o.warmupMs} --repeats ${o.repeats} --repeat-ms ${o.repeatMs}: ` +
      `use times of 0 or more, 0 or more warm-up runs and 1 or more timed runs`,
  );
/** Every case's warm-up and timed runs, ours and the peer's alike. */
const warmup: RunBudget = { runs: o.warmup, ms: o.warmupMs };
const timed: RunBudget = { runs: o.repeats, ms: o.repeatMs };
const sizes = o.sizes.split(',').map((name) => {
  if (!SIZES[name]) throw new Error(`--sizes: unknown size "${name}"; known: ${Object.keys(SIZES).join(', ')}`);
  return SIZES[name];
});
const backend = await initBackend(o.backend, (line) => console.error(line));
const ds = benchData();
/**
 * The settings timed, in order: wasm's fused-kernel settings (without "on" where the fused blocks cannot
 * run: without the native BLAS), or the backend's one way.
 */
const settings: (FusedSetting | 'own')[] = fusedKernelsOn()
  ? o.fused.split(',').flatMap((x) => {
      if (!['on', 'ops', 'off'].includes(x)) throw new Error(`--fused: unknown setting "${x}"; use on, ops, off`);
      const blocksMissing = x === 'on' && fusedBlocksUnavailable();
      if (blocksMissing) console.error(`[bench] fused on: not timed (the fused blocks cannot run: ${blocksMissing})`);
      return blocksMissing ? [] : [x as FusedSetting];
    })
  : ['own'];
if (!settings.length) throw new Error(`--fused ${o.fused}: none of these settings can run here (see above)`);
const defaultSetting = fusedSetting();

/**
 * The machine's matmul peak on this backend: the best of 20 back-to-back 1024³ products after warm-up
 * (large enough that the BLAS uses every thread and its startup is noise). On wasm a product is done
 * when the call returns, so its result stays on the backend (reading it back would time a copy); a GPU
 * backend only queues it, so there one value is read back to wait for it.
 */
function matmulPeakGflops(): number {
  const n = 1024;
  const a = tf.randomNormal([n, n]) as tf.Tensor2D,
    b = tf.randomNormal([n, n]) as tf.Tensor2D;
  const synchronous = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
  const product = () =>
    tf.tidy(() => {
      const c = matMul2d(a, b);
      if (!synchronous) void tf.slice(c, [n - 1, n - 1], [1, 1]).dataSync();
    });
  const m = measure(product, { runs: 5, ms: 0 }, { runs: 20, ms: 0 });
  tf.dispose([a, b]);
  return (2 * n ** 3) / (m.minMs / 1000) / 1e9;
}

interface Row extends Record<string, string | number> {}

/** What every timed row says: where it ran, which case, its times, tokens and achieved GFLOP/s. */
const timing = (backendName: string, matmul: string, size: BenchSize, c: BenchCase, m: Measurement): Row => ({
  backend: backendName,
  matmul,
  size: size.name,
  case: c.name,
  median_ms: +m.medianMs.toFixed(1),
  min_ms: +m.minMs.toFixed(1),
  max_ms: +m.maxMs.toFixed(1),
  repeats: m.repeats,
  warmup_runs: warmup.runs,
  warmup_ms: warmup.ms,
  min_timed_runs: timed.runs,
  min_timed_ms: timed.ms,
  tokens: c.tokens,
  gflops: +(c.flops / (m.medianMs / 1000) / 1e9).toFixed(2),
});
const rows: Row[] = [];
/** Per size and setting ("small on"): the DPO+SPO step's time over the DPO step's, in interleaved pairs. */
const stepRatios = new Map<string, ReturnType<typeof pairedRatio>>();
const peak = matmulPeakGflops();
console.error(`[bench] ${backend.name} matmul peak (1024³, best of 20): ${peak.toFixed(1)} GFLOP/s`);
const peer = o.peer ? Peer.start() : { skipped: '--no-peer' };
if ('skipped' in peer) console.error(`[bench] PyTorch peer skipped: ${peer.skipped}`);
/** Rounds per case: turns with the peer; without one, more rounds would only repeat the same timing. */
const roundsPerCase = 'skipped' in peer ? 1 : o.rounds;

for (const size of sizes) {
  const { cases } = benchCases(size, o.degrees, ds);
  for (const c of cases) {
    if (o.profile && c.name.startsWith(o.profile)) {
      const { totalMs, kernels } = await profileKernels(c.run);
      console.error(
        `[bench] ${size.name} ${c.name}: one profiled run ${totalMs.toFixed(0)} ms; ` +
          `kernels by time (custom-gradient ops include the kernels they call):`,
      );
      console.error(
        markdownTable(
          ['kernel', 'input shapes', 'calls', 'ms'],
          kernels.slice(0, 20).map((k) => [k.kernel, k.shapes, String(k.calls), k.ms.toFixed(1)]),
        ),
      );
    }
    const heap = caseHeap(size, o.degrees, c.name, o.backend, (line) => console.error(line));
    // rounds of ours under each setting, then the peer right after
    const rounds: { ours: Measurement[]; peer?: PeerResult }[] = [];
    for (let round = 0; round < roundsPerCase; round++) {
      const ours: Measurement[] = [];
      for (const setting of settings) {
        if (setting !== 'own') setFusedKernels(setting);
        // the peer's idle BLAS and OpenMP threads spin for a while after its last case: let them settle
        if (!('skipped' in peer)) await new Promise((resolve) => setTimeout(resolve, PEER_SETTLE_MS));
        ours.push(measure(c.run, warmup, timed));
      }
      if (settings[0] !== 'own') setFusedKernels(defaultSetting);
      rounds.push({
        ours,
        peer:
          'skipped' in peer
            ? undefined
            : await peer.time({
                size,
                vocab: ds.tokenizer.size,
                degrees: o.degrees,
                case: c.name,
                forwards: c.forwards,
                warmup,
                repeats: timed,
              }),
      });
    }
    const caseRows: Row[] = settings.map((setting, k) => {
      const ours = rounds.map((r) => r.ours[k]);
      const m: Measurement = {
        medianMs: median(ours.map((x) => x.medianMs)),
        minMs: Math.min(...ours.map((x) => x.minMs)),
        maxMs: Math.max(...ours.map((x) => x.maxMs)),
        repeats: ours.reduce((total, x) => total + x.repeats, 0),
        tensorGrowth: Math.max(...ours.map((x) => x.tensorGrowth)),
        rssMiB: Math.max(...ours.map((x) => x.rssMiB)),
      };
      // where the median step's time goes, from timed kernels over a few more runs
      if (setting !== 'own') setFusedKernels(setting);
      const split = timeSplit(c.run, m.medianMs);
      if (settings[0] !== 'own') setFusedKernels(defaultSetting);
      const row: Row = {
        ...timing(backend.name, nativeMatMulOn() ? 'native' : 'backend', size, c, m),
        fused: setting,
        rounds: roundsPerCase,
        tokens_per_s: Math.round(c.tokens / (m.medianMs / 1000)),
        peak_gflops: +peak.toFixed(1),
        heap_mib: k === 0 ? (heap?.heapMiB ?? '') : '',
        case_rss_mib: k === 0 ? (heap?.rssMiB ?? '') : '',
        tensor_growth: m.tensorGrowth,
        forwards: describeForwards(c.forwards),
        kernels: Math.round(split.kernels),
        matmul_ms: +split.matmulMs.toFixed(1),
        // the products' FLOPs (nearly all of the case's) over the time spent in them
        matmul_gflops: split.matmulMs > 0 ? +(c.flops / (split.matmulMs / 1000) / 1e9).toFixed(1) : '',
        other_kernels_ms: +split.otherKernelsMs.toFixed(1),
        fused_ms: +split.fusedMs.toFixed(1),
        overhead_ms: +split.overheadMs.toFixed(1),
      };
      const peerRounds = rounds.filter((r) => r.peer);
      if (peerRounds.length) {
        // each round's ours over the peer's of the same round; the peer's column is its middle round's
        // (the lower of the two middle ones for an even count), with that round's fastest configuration
        const ratios = peerRounds.map((r) => r.ours[k].medianMs / r.peer!.median_ms);
        const middleRound = peerRounds.map((r) => r.peer!).sort((a, b) => a.median_ms - b.median_ms)[
          (peerRounds.length - 1) >> 1
        ];
        Object.assign(row, {
          pytorch_median_ms: +middleRound.median_ms.toFixed(1),
          pytorch_config: middleRound.config,
          pytorch_all: peerRounds.map((r) => r.peer!.all).join(' | '),
          ratio_vs_pytorch: +median(ratios).toFixed(2),
          ratio_rounds: ratios.map((x) => x.toFixed(2)).join(' '),
        });
      }
      return row;
    });
    rows.push(...caseRows);
    for (const row of caseRows)
      console.error(
        `[bench] ${size.name} ${c.name} (fused ${row.fused}): ${row.median_ms} ms (min ${row.min_ms}, ` +
          `max ${row.max_ms}), ${row.gflops} GFLOP/s, ${row.kernels} kernels, tensors +${row.tensor_growth}` +
          (row.pytorch_median_ms !== undefined
            ? `; PyTorch ${row.pytorch_median_ms} ms (${row.pytorch_config}; ${row.pytorch_all})`
            : ''),
      );
  }
  // the DPO+SPO / DPO step ratio, paired (the two steps alternate, so a slow spell slows both sides),
  // with a row per response and with responses packed, whichever $SPO_PACKED_RESPONSES says for the rest
  const step = (n: string) => cases.find((c) => c.name.startsWith(n))!.run;
  for (const setting of settings)
    for (const packed of [false, true]) {
      if (setting !== 'own') setFusedKernels(setting);
      setPackedResponses(packed);
      stepRatios.set(
        `${size.name} ${setting} ${packed}`,
        pairedRatio(step('dpo-step'), step('dpo-spo-step'), warmup, o.ratioPairs),
      );
    }
  setPackedResponses(undefined);
  if (settings[0] !== 'own') setFusedKernels(defaultSetting);
  if (o.soak) {
    const samples = soak(cases.find((c) => c.name === 'dpo-step')!.run, o.soak, 50);
    console.error(`[bench] ${size.name} dpo-step x ${o.soak}: tensors, RSS and WASM heap after run n`);
    console.error(
      markdownTable(
        ['run', 'tensors', 'RSS MiB', 'WASM heap MiB'],
        samples.map((x) => [String(x.run), String(x.tensors), String(x.rssMiB), String(x.wasmHeapMiB ?? '-')]),
      ),
    );
  }
  cases.forEach((c) => c.dispose());
}
if (!('skipped' in peer)) peer.stop();

const extra = o.also
  .split(',')
  .filter(Boolean)
  .map((name) => {
    if (!(BACKEND_NAMES as readonly string[]).includes(name))
      throw new Error(`--also: unknown backend "${name}"; known: ${BACKEND_NAMES.join(', ')}`);
    return name as BackendName;
  })
  .filter((name) => name !== backend.name);
const otherColumns: [BackendName, string][] = [];
for (const name of extra) {
  const failed = await switchBackend(name);
  if (failed) {
    console.error(`[bench] ${name}: not timed (${failed})`);
    continue;
  }
  const adapter = webGpuAdapter();
  otherColumns.push([
    name,
    name === 'webgpu' && adapter
      ? `webgpu (${adapter.software ? 'software: ' : ''}${adapter.description || adapter.device})`
      : name,
  ]);
  for (const size of sizes) {
    const { cases } = benchCases(size, o.degrees, ds);
    for (const c of cases) {
      const m = measure(c.run, warmup, timed);
      rows.push(timing(name, 'backend', size, c, m));
      console.error(`[bench] ${name} ${size.name} ${c.name}: ${m.medianMs.toFixed(1)} ms`);
    }
    cases.forEach((c) => c.dispose());
  }
}
if (extra.length) await switchBackend(backend.name);

const main = rows.filter((r) => r.backend === backend.name);
const ofSetting = (setting: string) => main.filter((r) => r.fused === setting);
const first = ofSetting(settings[0]);
console.log(
  `${backend.name} (matmul: ${backend.matmul}${backend.packedResponses ? '; responses packed' : ''}); ` +
    `matmul peak ${peak.toFixed(1)} GFLOP/s; ` +
    ('skipped' in peer
      ? `PyTorch not run (${peer.skipped}); `
      : `PyTorch: fastest of every intra-op × BLAS thread configuration, timed right after ours, in each of ` +
        `${roundsPerCase} round(s) per case, its ms the middle round's; / PyTorch: the median of the rounds' ` +
        `ratios${roundsPerCase > 1 ? ` (each round's after "rounds")` : ''}; `) +
    `ms: the median of the rounds' medians, [min, max] over every run; ours under each fused setting ` +
    `(${settings.join(', ')}), timed one after another; each timing at least ${timed.runs} runs and ` +
    `${timed.ms} ms, after at least ${warmup.runs} warm-up runs and ${warmup.ms} ms of them, on both sides`,
);
const cell = (r: Row | undefined) =>
  !r
    ? 'not run'
    : `${r.median_ms} [${r.min_ms}, ${r.max_ms}]` +
      (r.ratio_vs_pytorch === undefined
        ? ''
        : ` (${r.ratio_vs_pytorch}x${Number(r.rounds) > 1 ? `; rounds ${r.ratio_rounds}` : ''})`);
const find = (setting: string, r: Row) =>
  main.find((x) => x.fused === setting && x.size === r.size && x.case === r.case);
console.log(
  markdownTable(
    [
      'size',
      'case',
      'forward',
      'fastest PyTorch ms (threads)',
      ...settings.map((x) =>
        x === 'own' ? 'ours ms [min, max] (/ PyTorch)' : `fused ${x}: ms [min, max] (/ PyTorch)`,
      ),
      `GFLOP/s (% of peak), ${settings[0]}`,
      'tokens/s',
      'WASM heap MiB',
      'RSS MiB',
      'tensors +',
      ...otherColumns.map(([, label]) => `${label} ms`),
    ],
    first.map((r) => [
      String(r.size),
      String(r.case),
      String(r.forwards),
      r.pytorch_median_ms === undefined ? 'not run' : `${r.pytorch_median_ms} (${r.pytorch_config})`,
      ...settings.map((x) => cell(find(x, r))),
      `${r.gflops} (${((100 * Number(r.gflops)) / peak).toFixed(0)}%)`,
      String(r.tokens_per_s),
      String(r.heap_mib || '-'),
      String(r.case_rss_mib || '-'),
      String(r.tensor_growth),
      ...otherColumns.map(([name]) =>
        String(rows.find((x) => x.backend === name && x.size === r.size && x.case === r.case)?.median_ms ?? 'not run'),
      ),
    ]),
  ),
);
const share = (part: string | number, whole: string | number) =>
  `${((100 * Number(part)) / Number(whole)).toFixed(0)}%`;
console.log(
  `Where the time goes (median step; kernel times over 3 more runs; matmul: the BLAS's products, inside ` +
    `fused blocks too; matmul GFLOP/s: the case's FLOPs over the time in them, against the ` +
    `${peak.toFixed(1)} GFLOP/s peak; overhead: the step's time outside every kernel)`,
);
console.log(
  markdownTable(
    [
      'size',
      'case',
      'fused',
      'step ms',
      'kernels',
      'matmul ms',
      'matmul GFLOP/s (% of peak)',
      'other kernels ms (fused)',
      'overhead ms',
    ],
    main.map((r) => [
      String(r.size),
      String(r.case),
      String(r.fused),
      String(r.median_ms),
      String(r.kernels),
      `${r.matmul_ms} (${share(r.matmul_ms, r.median_ms)})`,
      r.matmul_gflops === '' ? '-' : `${r.matmul_gflops} (${share(r.matmul_gflops, peak)})`,
      `${r.other_kernels_ms} (${r.fused_ms}) (${share(r.other_kernels_ms, r.median_ms)})`,
      `${r.overhead_ms} (${share(r.overhead_ms, r.median_ms)})`,
    ]),
  ),
);
for (const size of sizes)
  for (const setting of settings) {
    const get = (n: string) => ofSetting(setting).find((r) => r.size === size.name && String(r.case).startsWith(n))!;
    const dpo = get('dpo-step'),
      spo = get('dpo-spo-step');
    const ofMedians = Number(spo.median_ms) / Number(dpo.median_ms),
      tokenRatio = Number(spo.tokens) / Number(dpo.tokens);
    const peerRatio =
      spo.pytorch_median_ms !== undefined
        ? `; PyTorch ${(Number(spo.pytorch_median_ms) / Number(dpo.pytorch_median_ms)).toFixed(2)}x (its medians')`
        : '';
    const paired = (packed: boolean) => stepRatios.get(`${size.name} ${setting} ${packed}`)!;
    const said = (r: ReturnType<typeof pairedRatio>) =>
      `${r.median.toFixed(2)}x` +
      (r.interval ? ` [${r.interval.low.toFixed(2)}, ${r.interval.high.toFixed(2)}]` : ' (no interval)');
    const coverage = paired(false).interval?.coverage;
    const label = `${size.name}${setting === 'own' ? '' : ` (fused ${setting})`}`;
    console.log(
      `${label}: DPO+SPO / DPO step time, median of ${o.ratioPairs} interleaved pairs ` +
        `[${coverage ? `${(100 * coverage).toFixed(1)}% distribution-free interval` : 'interval'}]: ` +
        `a row per response ${said(paired(false))}, responses packed ${said(paired(true))} ` +
        `(the cases' medians above, timed apart: ${ofMedians.toFixed(2)}x) for ${tokenRatio.toFixed(2)}x ` +
        `the tokens${peerRatio}`,
    );
    for (const packed of [false, true]) {
      const r = paired(packed),
        column = `step_ratio_vs_dpo${packed ? '_packed' : ''}`;
      Object.assign(spo, {
        [column]: +r.median.toFixed(3),
        [`${column}_low`]: r.interval ? +r.interval.low.toFixed(3) : '',
        [`${column}_high`]: r.interval ? +r.interval.high.toFixed(3) : '',
      });
    }
    Object.assign(spo, { step_ratio_pairs: o.ratioPairs });
  }
const path = join(o.out, 'bench.csv');
// every row's columns (some only on some rows: the peer's, the DPO+SPO step's paired ratio)
const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
writeFileAtomic(path, Papa.unparse(rows, { columns }) + '\n');
console.error(`[bench] wrote ${path}`);
