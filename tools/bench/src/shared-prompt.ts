// `nx run bench:prompts`: what encoding each prompt once, and then packing the responses, save on real
// data with long prompts and responses of every length. HH-RLHF (the hh-rlhf-small experiment's data,
// tokenizer and model shape, from data/hh-rlhf) in DPO batches: the policy's step (forward and backward
// of chosen and rejected sharing their prompt, then the DPO loss) and the reference pass, each in both
// layouts of responseLogProbs and the shared-prompt layout with responses packed
// ($SPO_PACKED_RESPONSES), timed alternately in one process. Prints prompt and response lengths, ms per
// layout and the speed-ups.
// Options: --pairs 8  --batches 1  --repeats 7  --backend wasm
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { tf, initBackend, packResponses, setPackedResponses, BACKEND_NAMES, type BackendRequest } from '@spo/engine';
import { DataConfigSchema, encodeSequence, lengthStats, prepareDataset } from '@spo/data';
import { distinctPrompts, initCausalLM, responseLogProbs, type ResponseLogProbs } from '@spo/model';
import { markdownTable } from '@spo/reports';
import { measure, median } from './measure.js';
import { meanDpoLoss } from './random-dpo-loss.js';

const o = new Command('bench:prompts')
  .option('--pairs <n>', 'preference pairs per step', (v) => Number(v), 8)
  .option('--batches <n>', 'consecutive batches of --pairs pairs, run in sequence in each timing', (v) => Number(v), 1)
  .option('--repeats <n>', 'timed runs per layout', (v) => Number(v), 7)
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .parse()
  .opts<{ pairs: number; batches: number; repeats: number; backend?: BackendRequest }>();

for (const [flag, n] of [
  ['--pairs', o.pairs],
  ['--batches', o.batches],
  ['--repeats', o.repeats],
] as const)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} is ${n}; pass a whole number of at least 1`);

const root = new URL('../../../', import.meta.url).pathname;
const experiment = JSON.parse(readFileSync(join(root, 'experiments/hh-rlhf-small/config.json'), 'utf8'));
const hhRlhf = join(root, 'data/hh-rlhf');
if (!existsSync(hhRlhf)) {
  console.error(
    `[bench:prompts] skipped: ${hhRlhf} is absent; ` +
      `fetch the HH-RLHF test splits with: npm run spo -- data fetch hh-rlhf`,
  );
  process.exit(0);
}
const backend = await initBackend(o.backend, (line) => console.error(line));
const config = DataConfigSchema.parse({
  ...experiment.data,
  files: experiment.data.files.map((f: string) => join(root, f)),
});
const { dataset } = await prepareDataset(config, experiment.seed, join(root, '.cache/spo/prepared'), (line) =>
  console.error(line),
);
const model = initCausalLM({ vocabSize: dataset.tokenizer.size, layerNormEps: 1e-5, ...experiment.model }, 1);
const maxLength = experiment.model.maxPositions;
const P = o.pairs;
if (P * o.batches > dataset.preferences.length)
  throw new Error(
    `--pairs ${P} x --batches ${o.batches} asks for ${P * o.batches} pairs; ` +
      `the prepared set has ${dataset.preferences.length}`,
  );
const reference = tf.fill([P], -40) as tf.Tensor1D;

/** Batch b: its P pairs' chosen rows, then their rejected rows, their response lengths, and each column's. */
const batches = Array.from({ length: o.batches }, (_, b) => {
  const pairs = dataset.preferences.slice(b * P, (b + 1) * P);
  const rows = [
    ...pairs.map((p) => encodeSequence(dataset.tokenizer, p.prompt, p.chosen, maxLength)),
    ...pairs.map((p) => encodeSequence(dataset.tokenizer, p.prompt, p.rejected, maxLength)),
  ];
  const lengths = rows.map((s) => s.ids.length - s.promptLength);
  const lengthsOf = (from: number) => tf.tensor1d(lengths.slice(from, from + P));
  return { rows, lengths, chosenLengths: lengthsOf(0), rejectedLengths: lengthsOf(P) };
});
const rows = batches.flatMap((b) => b.rows);

/** The policy's DPO step on each batch through one layout: loss, gradients of every parameter. */
const step = (layout: ResponseLogProbs['layout']) => () =>
  batches.forEach((batch) =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() =>
        meanDpoLoss(
          responseLogProbs(model, batch.rows, dataset.tokenizer.padId, layout).sum,
          reference,
          batch.chosenLengths,
          batch.rejectedLengths,
        ),
      );
      for (const g of Object.values(grads)) g.dataSync();
    }),
  );
const score = (layout: ResponseLogProbs['layout']) => () =>
  batches.forEach((batch) =>
    tf.tidy(() => void responseLogProbs(model, batch.rows, dataset.tokenizer.padId, layout).sum.dataSync()),
  );

const responseLengths = batches.flatMap((b) => b.lengths);
const prompt = lengthStats(rows.filter((_, r) => r % (2 * P) < P).map((s) => s.promptLength)),
  response = { ...lengthStats(responseLengths), min: Math.min(...responseLengths) };
console.error(
  `[bench:prompts] ${o.batches} x ${P} pairs of HH-RLHF: prompt tokens median ${prompt.p50} ` +
    `(max ${prompt.max}), response tokens median ${response.p50} (min ${response.min}, max ${response.max}); ` +
    `model ${experiment.model.nLayers} layers, d ${experiment.model.dModel}`,
);

/** Each way of running the batch: a layout of responseLogProbs, and responses packed or not. */
const ways = [
  { name: 'each sequence whole', layout: 'per-row', packed: false },
  { name: 'prompt encoded once', layout: 'shared-prompt', packed: false },
  { name: 'prompt once, responses packed', layout: 'shared-prompt', packed: true },
] as const;
// the response pass's rows and positions over the batches, a row per response and packed
const passes = batches.reduce(
  (total, { rows: sequences, lengths }) => {
    const width = Math.max(...lengths);
    const packed = packResponses(distinctPrompts(sequences).rowPrompt, lengths, width).length;
    return {
      rows: total.rows + sequences.length,
      positions: total.positions + sequences.length * width,
      packedRows: total.packedRows + packed,
      packedPositions: total.packedPositions + packed * width,
    };
  },
  { rows: 0, positions: 0, packedRows: 0, packedPositions: 0 },
);

const table: string[][] = [];
for (const [what, run] of [
  ['DPO step (forward + backward)', step],
  ['reference pass (forward)', score],
] as const) {
  // alternate the ways so drift on a shared machine reaches each
  const times = ways.map(() => [] as number[]);
  for (let r = 0; r < o.repeats; r++)
    ways.forEach((way, i) => {
      setPackedResponses(way.packed);
      times[i].push(measure(run(way.layout), { runs: r === 0 ? 1 : 0, ms: 0 }, { runs: 1, ms: 0 }).medianMs);
    });
  setPackedResponses(undefined);
  const [perRow, sharedPrompt, packed] = times.map(median);
  table.push([
    what,
    perRow.toFixed(1),
    sharedPrompt.toFixed(1),
    packed.toFixed(1),
    `${(perRow / sharedPrompt).toFixed(2)}x`,
    `${(sharedPrompt / packed).toFixed(2)}x`,
  ]);
}
console.log(
  `HH-RLHF, ${o.batches} batch(es) of ${P} pairs (${2 * P} sequences each, ms summed over the batches), ` +
    `${backend.name} (matmul: ${backend.matmul}); median of ${o.repeats}, ways alternating`,
);
console.log(
  `prompt tokens: median ${prompt.p50}, max ${prompt.max}; ` +
    `response tokens: median ${response.p50}, min ${response.min}, max ${response.max}; ` +
    `response pass: ${passes.rows} rows (${passes.positions} positions) a row per response, ` +
    `${passes.packedRows} rows (${passes.packedPositions} positions) packed`,
);
console.log(
  markdownTable(
    [
      'case',
      ...ways.map((w) => `${w.name} ms`),
      'prompt once / whole: speed-up',
      'packed / a row per response: speed-up',
    ],
    table,
  ),
);
