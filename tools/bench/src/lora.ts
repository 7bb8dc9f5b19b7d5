// `nx run bench:lora`: the DPO step of a pretrained model (default: stories260K, from
// `spo data fetch stories260K`) with every weight trained and with LoRA adapters, on random token
// batches: median step time, trainable parameters, optimiser state, and the step's peak tensor
// memory as tfjs counts it (tf.profile: a buffer shared by several tensors counts once per tensor)
// and process RSS.
// Options: --model <folder>  --batch 16 (pairs)  --length 96  --rank 8  --repeats 7  --backend wasm
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BACKEND_NAMES, initBackend, tf, type BackendRequest } from '@spo/engine';
import { readPretrained, type CausalLM, type LoraConfig } from '@spo/model';
import { AdamW } from '@spo/trainer';
import { measure, WARM_UP_DEFAULT } from './measure.js';
import { randomDpoLoss } from './random-dpo-loss.js';

const o = new Command()
  .option('--model <dir>', 'a pretrained model folder', 'models/stories260K')
  .option('--batch <n>', 'pairs per step', (v) => Number(v), 16)
  .option('--length <n>', 'tokens per sequence (the first half is the prompt)', (v) => Number(v), 96)
  .option('--rank <n>', 'LoRA rank', (v) => Number(v), 8)
  .option('--repeats <n>', 'timed steps per setting', (v) => Number(v), 7)
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .parse()
  .opts<{ model: string; batch: number; length: number; rank: number; repeats: number; backend?: BackendRequest }>();

if (!existsSync(o.model))
  throw new Error(
    `--model ${o.model} does not exist (fetch stories260K with: ` +
      `npm run spo -- data fetch stories260K; or pass any Hugging Face / llama2.c folder)`,
  );
const backend = await initBackend(o.backend, (line) => console.error(line));
const B = o.batch,
  T = o.length;

function dpoStep(model: CausalLM): { run: () => void; dispose: () => void; trainable: number } {
  const params = model.trainableParams();
  const optimizer = new AdamW(params, { beta1: 0.9, beta2: 0.95, weightDecay: 0.01 });
  const batch = randomDpoLoss(model, B, T, 'bench/lora');
  const loss = batch.loss;
  const vars = [...params.values()];
  return {
    trainable: vars.reduce((n, v) => n + v.size, 0),
    run: () => {
      const { value, grads } = tf.variableGrads(loss, vars);
      optimizer.apply(new Map([...params].map(([n, v]) => [n, grads[v.name]] as const)), 1e-4);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => {
      optimizer.dispose();
      batch.dispose();
      model.dispose();
    },
  };
}

const settings: [string, LoraConfig | undefined][] = [
  ['full fine-tuning', undefined],
  [`LoRA r=${o.rank}, attention`, { rank: o.rank, alpha: 2 * o.rank }],
  [
    `LoRA r=${o.rank}, every projection`,
    {
      rank: o.rank,
      alpha: 2 * o.rank,
      targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
    },
  ],
];
console.log(
  `DPO step of ${o.model}, ${B} pairs x ${T} tokens, ${backend.name} (${backend.matmul}), median of ${o.repeats}`,
);
console.log('| setting | trainable parameters | optimiser state | median step | peak tensor memory | RSS |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [label, lora] of settings) {
  const { model } = readPretrained(o.model);
  if (lora) model.attachLora(lora, 1);
  const step = dpoStep(model);
  const m = measure(step.run, WARM_UP_DEFAULT, { runs: o.repeats, ms: 0 });
  const peak = (await tf.profile(step.run)).peakBytes;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `| ${label} | ${step.trainable.toLocaleString('en')} | ${mib(2 * 4 * step.trainable)} | ` +
      `${m.medianMs.toFixed(0)} ms | ${mib(peak)} | ${m.rssMiB.toFixed(0)} MiB |`,
  );
  step.dispose();
}
