// The operations a preference-optimisation run spends its time in, on random token batches of a given
// model size, built from the same library functions the trainer uses: an SFT step, a DPO step, a
// DPO+SPO step (K degree variants of the chosen response in the same forward, linear head), the
// reference log-prob pass, and sampling with the KV cache.
import { tf, Rng, matMul2d } from '@spo/engine';
import { initCausalLM, generate, sequenceLogProbs } from '@spo/model';
import { dpoLoss, degreeLoss } from '@spo/losses';
import { AdamW } from '@spo/trainer';

export interface BenchSize {
  name: string;
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Sequences (SFT) or pairs (DPO) per step. */
  batch: number;
  /** Tokens per sequence; the first half is the prompt. */
  length: number;
}

export interface BenchCase {
  name: string;
  /** Real tokens one run processes (for tokens/s). */
  tokens: number;
  run: () => void;
  dispose: () => void;
}

export function benchCases(size: BenchSize, degrees: number, seed = 1): BenchCase[] {
  const config = { vocabSize: size.vocabSize, maxPositions: size.length, dModel: size.dModel, nLayers: size.nLayers, nHeads: size.nHeads, layerNormEps: 1e-5 };
  const model = initCausalLM(config, seed);
  const rng = new Rng(`${seed}/bench`);
  const B = size.batch, T = size.length, prompt = T / 2;
  const ids = (rows: number) => tf.tensor2d(Int32Array.from({ length: rows * T }, () => 4 + rng.int(size.vocabSize - 4)), [rows, T], 'int32');
  const responseMask = (rows: number) => tf.tensor2d(Float32Array.from({ length: rows * T }, (_, i) => (i % T >= prompt ? 1 : 0)), [rows, T]);
  const headW = tf.variable(tf.randomNormal([size.dModel, degrees], 0, 0.02), true);
  const headB = tf.variable(tf.zeros([degrees]), true);
  const withHead = new Map([...model.params, ['head.w', headW], ['head.b', headB]]);
  const optimizer = new AdamW(withHead, { beta1: 0.9, beta2: 0.95, weightDecay: 0.01 });

  const step = (rows: number, loss: (ids: tf.Tensor2D, mask: tf.Tensor2D) => tf.Scalar) => () => {
    const x = ids(rows), m = responseMask(rows);
    const { value, grads } = tf.variableGrads(() => loss(x, m), [...withHead.values()]);
    const named = new Map([...withHead].filter(([, v]) => grads[v.name]).map(([n, v]) => [n, grads[v.name]] as const));
    optimizer.apply(named, 1e-4);
    value.dataSync();
    tf.dispose([value, x, m, ...Object.values(grads)]);
  };
  const pairLogProbs = (lp: tf.Tensor1D) => ({
    policyChosen: tf.slice(lp, [0], [B]) as tf.Tensor1D, policyRejected: tf.slice(lp, [B], [B]) as tf.Tensor1D,
    referenceChosen: tf.fill([B], -40) as tf.Tensor1D, referenceRejected: tf.fill([B], -41) as tf.Tensor1D,
    chosenLengths: tf.fill([B], T - prompt) as tf.Tensor1D, rejectedLengths: tf.fill([B], T - prompt) as tf.Tensor1D,
  });
  const variants = B * (degrees - 1);
  const prompts = Array.from({ length: B }, () => Array.from({ length: prompt }, () => 4 + rng.int(size.vocabSize - 4)));

  return [
    { name: 'sft-step', tokens: B * T, run: step(B, (x, m) => tf.neg(tf.mean(sequenceLogProbs(model.forward(x, { logitsFrom: prompt - 1 }).logits, x, m).mean)) as tf.Scalar), dispose: () => {} },
    {
      name: 'dpo-step', tokens: 2 * B * T,
      run: step(2 * B, (x, m) => tf.mean(dpoLoss(pairLogProbs(sequenceLogProbs(model.forward(x, { logitsFrom: prompt - 1 }).logits, x, m).sum), { beta: 0.1 }).losses) as tf.Scalar),
      dispose: () => {},
    },
    {
      name: `dpo-spo-step (K=${degrees})`, tokens: (2 * B + variants) * T,
      run: step(2 * B + variants, (x, m) => {
        const out = model.forward(x, { logitsFrom: prompt - 1 });
        const lp = sequenceLogProbs(out.logits, x, m);
        const align = tf.mean(dpoLoss(pairLogProbs(tf.slice(lp.sum, [0], [2 * B]) as tf.Tensor1D), { beta: 0.1 }).losses);
        // degree groups: chosen row b (level 0) and its variants; pooled by one-hot matmul as in the trainer
        const rows = 2 * B + variants, groupRows: number[] = [];
        for (let b = 0; b < B; b++) groupRows.push(b, ...Array.from({ length: degrees - 1 }, (_, k) => 2 * B + b * (degrees - 1) + k));
        const select = new Float32Array(groupRows.length * rows);
        groupRows.forEach((r, j) => (select[j * rows + r] = 1));
        const pooled = matMul2d(tf.tensor2d(select, [groupRows.length, rows]), tf.mean(out.hidden, 1) as tf.Tensor2D);
        const logits = tf.add(matMul2d(pooled, headW as tf.Tensor2D), headB) as tf.Tensor2D;
        const levels = tf.tensor1d(groupRows.map((_, j) => j % degrees), 'int32');
        return tf.add(align, tf.mul(tf.mean(degreeLoss(logits, levels).losses), 0.1)) as tf.Scalar;
      }),
      dispose: () => {},
    },
    {
      name: 'reference-pass', tokens: 2 * B * T,
      run: () => tf.tidy(() => { const x = ids(2 * B); sequenceLogProbs(model.forward(x, { logitsFrom: prompt - 1 }).logits, x, responseMask(2 * B)).sum.dataSync(); }),
      dispose: () => {},
    },
    {
      name: 'generate', tokens: B * (T - prompt),
      run: () => void generate(model, prompts, { maxNewTokens: T - prompt, temperature: 1, topP: 1, padToken: 0, seed: 1, batchSize: B }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([headW, headB]);
        model.dispose();
      },
    },
  ];
}
