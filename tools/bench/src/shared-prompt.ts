// `nx run bench:prompts`: what encoding each prompt once saves on real data with long prompts. HH-RLHF
// (the hh-rlhf-small experiment's data, tokenizer and model shape, from data/hh-rlhf) in DPO batches:
// the policy's step (forward and backward of chosen and rejected sharing their prompt, then the DPO
// loss) and the reference pass, each in both layouts of responseLogProbs, timed alternately in one
// process. Prints prompt and response lengths, ms per layout and the speed-up.
// Options: --pairs 8  --repeats 7  --backend wasm
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { tf, initBackend, BACKEND_NAMES, type BackendRequest } from '@spo/engine';
import { DataConfigSchema, encodeSequence, lengthStats, prepareDataset } from '@spo/data';
import { initCausalLM, responseLogProbs, type ResponseLogProbs } from '@spo/model';
import { dpoLoss } from '@spo/losses';
import { markdownTable } from '@spo/reports';
import { measure, median } from './measure.js';

const o = new Command('bench:prompts')
  .option('--pairs <n>', 'preference pairs per step', (v) => Number(v), 8)
  .option('--repeats <n>', 'timed runs per layout', (v) => Number(v), 7)
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .parse()
  .opts<{ pairs: number; repeats: number; backend?: BackendRequest }>();

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

const pairs = dataset.preferences.slice(0, o.pairs);
const rows = [
  ...pairs.map((p) => encodeSequence(dataset.tokenizer, p.prompt, p.chosen, maxLength)),
  ...pairs.map((p) => encodeSequence(dataset.tokenizer, p.prompt, p.rejected, maxLength)),
];
const P = o.pairs;
const reference = tf.fill([P], -40) as tf.Tensor1D;
const lengthsOf = (from: number) => tf.tensor1d(rows.slice(from, from + P).map((s) => s.ids.length - s.promptLength));
const [chosenLengths, rejectedLengths] = [lengthsOf(0), lengthsOf(P)];

/** The policy's DPO step through one layout: loss, gradients of every parameter. */
const step = (layout: ResponseLogProbs['layout']) => () =>
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const lp = responseLogProbs(model, rows, dataset.tokenizer.padId, layout).sum;
      return tf.mean(
        dpoLoss(
          {
            policyChosen: tf.slice(lp, [0], [P]) as tf.Tensor1D,
            policyRejected: tf.slice(lp, [P], [P]) as tf.Tensor1D,
            referenceChosen: reference,
            referenceRejected: reference,
            chosenLengths,
            rejectedLengths,
          },
          { beta: 0.1 },
        ).losses,
      ) as tf.Scalar;
    });
    for (const g of Object.values(grads)) g.dataSync();
  });
const score = (layout: ResponseLogProbs['layout']) => () =>
  tf.tidy(() => void responseLogProbs(model, rows, dataset.tokenizer.padId, layout).sum.dataSync());

const prompt = lengthStats(rows.slice(0, P).map((s) => s.promptLength)),
  response = lengthStats(rows.map((s) => s.ids.length - s.promptLength));
console.error(
  `[bench:prompts] ${P} pairs of HH-RLHF: prompt tokens median ${prompt.p50} ` +
    `(max ${prompt.max}), response tokens median ${response.p50} (max ${response.max}); ` +
    `model ${experiment.model.nLayers} layers, d ${experiment.model.dModel}`,
);

const table: string[][] = [];
for (const [what, run] of [
  ['DPO step (forward + backward)', step],
  ['reference pass (forward)', score],
] as const) {
  // alternate the layouts so drift on a shared machine reaches both
  const times: Record<string, number[]> = { 'per-row': [], 'shared-prompt': [] };
  for (let r = 0; r < o.repeats; r++) {
    for (const layout of ['per-row', 'shared-prompt'] as const)
      times[layout].push(measure(run(layout), r === 0 ? 1 : 0, 1).medianMs);
  }
  const [perRow, sharedPrompt] = [median(times['per-row']), median(times['shared-prompt'])];
  table.push([what, perRow.toFixed(1), sharedPrompt.toFixed(1), `${(perRow / sharedPrompt).toFixed(2)}x`]);
}
console.log(
  `HH-RLHF, ${P} pairs per step (${2 * P} sequences), ${backend.name} (matmul: ${backend.matmul}); ` +
    `median of ${o.repeats}, layouts alternating`,
);
console.log(
  `prompt tokens: median ${prompt.p50}, max ${prompt.max}; ` +
    `response tokens: median ${response.p50}, max ${response.max}`,
);
console.log(markdownTable(['case', 'each sequence whole ms', 'prompt encoded once ms', 'speed-up'], table));
