// The operations a preference-optimisation run spends its time in, timed through the functions the
// run itself calls, on the quickstart's synthetic summarisation data: the trainer's SFT and preference
// objectives (DPO, DPO+SPO) with its step (stepGradients, then AdamW), the reference cache's scoring
// pass (scoreSequences) and the eval's sampler (sampleResponses). Each case records the shape of every
// forward pass it made, which the PyTorch peer reproduces.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { initCausalLM, type CausalLM, type ForwardOptions } from '@spo/model';
import {
  pairAsList,
  prepareSynthetic,
  SyntheticDataConfigSchema,
  encodeSequence,
  type PreparedDataset,
} from '@spo/data';
import {
  AdamW,
  BatchOrder,
  TrainConfigSchema,
  learningRate,
  preferenceObjective,
  resolveMethod,
  scoreSequences,
  sftObjective,
  stepGradients,
  type LossFn,
} from '@spo/trainer';
import { sampleResponses } from '@spo/evaluators';

export interface BenchSize {
  name: string;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Sequences (SFT) or pairs (DPO) per step, and prompts per sampling batch. */
  batch: number;
}

/**
 * The shape of one forward pass: rows × width tokens after `past` cached keys and values (a shared
 * prompt's, or earlier decoding steps'), logits from position logitsFrom.
 */
export interface ForwardShape {
  rows: number;
  width: number;
  logitsFrom: number;
  past: number;
}

/** "16x22 then 39x34 after 22": each pass of a run, or their count when there are many. */
export function describeForwards(forwards: readonly ForwardShape[]): string {
  if (forwards.length > 3) return `${forwards.length} passes`;
  return forwards.map((f) => `${f.rows}x${f.width}${f.past ? ` after ${f.past}` : ''}`).join(' then ');
}

export interface BenchCase {
  name: string;
  /** Real tokens one run processes (for tokens/s). */
  tokens: number;
  /** Every forward pass of one run, in order (what the peer repeats); recorded by the first run. */
  forwards: ForwardShape[];
  /**
   * Multiply-adds × 2 of one run (forward, and backward as twice the forward for training cases); set
   * by the first run.
   */
  flops: number;
  run: () => void;
  /** Training cases: the loss of the last run. */
  lastLoss?: number;
  dispose: () => void;
}

/** The quickstart's model shape (the vocabulary comes from the data). */
export const modelConfigFor = (size: BenchSize, vocab: number) => ({
  vocabSize: vocab,
  maxPositions: 64,
  dModel: size.dModel,
  nLayers: size.nLayers,
  nHeads: size.nHeads,
  layerNormEps: 1e-5,
});

/** The quickstart's data config, smaller: the bench needs a few batches, not a training set. */
export function benchData(): PreparedDataset {
  return prepareSynthetic(
    SyntheticDataConfigSchema.parse({
      source: 'synthetic',
      task: 'summarization',
      sftExamples: 256,
      preferencePairs: 256,
      evalPrompts: 64,
      labelTemperature: 0.25,
    }),
    1,
  );
}

/** Records the shape of each forward pass of `model` while `f` runs. */
function recordForwards(model: CausalLM, f: () => void): ForwardShape[] {
  const shapes: ForwardShape[] = [];
  const original = model.forward;
  model.forward = (ids: tf.Tensor2D, o: ForwardOptions = {}) => {
    shapes.push({
      rows: ids.shape[0],
      width: ids.shape[1],
      logitsFrom: o.logitsFrom ?? 0,
      past: o.cache?.[0]?.k.shape[2] ?? 0,
    });
    return original.call(model, ids, o);
  };
  try {
    f();
  } finally {
    model.forward = original;
  }
  return shapes;
}

/** The case with a run that, the first time, records its forward shapes and sets its FLOPs from them. */
function recordOnFirstRun(c: BenchCase, model: CausalLM, flopsOf: (forwards: ForwardShape[]) => number): BenchCase {
  const run = c.run;
  let recorded = false;
  c.run = () => {
    if (recorded) return run();
    recorded = true;
    c.forwards = recordForwards(model, run);
    c.flops = flopsOf(c.forwards);
  };
  return c;
}

/**
 * 2 × multiply-adds of the forward passes: per token, the projections (12·d² per layer for GPT-2:
 * q, k, v, out and the 4d MLP) and attention against the keys it sees; the output head for the
 * positions that get logits. Training counts the backward pass as twice the forward.
 */
function forwardFlops(shapes: ForwardShape[], size: BenchSize, vocab: number): number {
  const d = size.dModel;
  return shapes.reduce((total, s) => {
    const past = s.past;
    const tokens = s.rows * s.width;
    const projections = 12 * d * d * size.nLayers * tokens;
    const keys = s.rows * size.nLayers * (s.width * past + (s.width * (s.width + 1)) / 2);
    const attention = 2 * d * keys; // scores and weighted values
    const head = s.rows * (s.width - s.logitsFrom) * d * vocab;
    return total + 2 * (projections + attention + head);
  }, 0);
}

/**
 * The bench's training settings: the trainer's defaults at the size's batch (the first step's learning rate is used).
 */
export const benchTrainConfig = (size: BenchSize) =>
  TrainConfigSchema.parse({ steps: 1000, batchSize: size.batch, lr: 1e-4 });

/** The model every case runs on (initCausalLM with `seed`) and the cases, in order. */
export function benchCases(
  size: BenchSize,
  degrees: number,
  ds: PreparedDataset,
  seed = 1,
): { model: CausalLM; cases: BenchCase[] } {
  const vocab = ds.tokenizer.size;
  const model = initCausalLM(modelConfigFor(size, vocab), seed);
  const reference = model.clone(false);
  const config = benchTrainConfig(size);
  const dir = mkdtempSync(join(tmpdir(), 'spo-bench-'));
  const pairs = ds.preferences.map(pairAsList);
  const B = size.batch;

  /** The trainer's step on its first batch: gradients of `lossFn` (stepGradients), then AdamW. */
  const trainingCase = (
    name: string,
    lossFn: LossFn,
    variables: Map<string, tf.Variable>,
    datasetSize: number,
    dispose = () => {},
  ): BenchCase => {
    const optimizer = new AdamW(variables, config);
    const indices = new BatchOrder(datasetSize, B, 1, seed).indices(0, 0);
    const c: BenchCase = {
      name,
      tokens: 0,
      forwards: [],
      flops: 0,
      run: () => {
        const g = stepGradients(lossFn, variables, config, 0, [indices]);
        optimizer.apply(g.clipped, learningRate(0, config));
        tf.dispose([...g.clipped.values()]);
        c.tokens = g.tokens;
        c.lastLoss = g.metrics.loss;
      },
      dispose: () => {
        optimizer.dispose();
        dispose();
      },
    };
    return recordOnFirstRun(c, model, (forwards) => 3 * forwardFlops(forwards, size, vocab));
  };

  const objective = (spo: boolean) =>
    preferenceObjective({
      policy: model,
      reference,
      tokenizer: ds.tokenizer,
      examples: pairs,
      seed,
      dir,
      log: () => {},
      method: resolveMethod(
        {
          name: spo ? 'dpo-spo' : 'dpo',
          loss: 'dpo',
          params: { beta: 0.1 },
          ...(spo ? { spo: { lambda: 0.1, degrees } } : {}),
        },
        'bench',
      ),
    });
  const dpo = objective(false),
    dpoSpo = objective(true);

  const referenceRows = new BatchOrder(pairs.length, B, 1, seed)
    .indices(0, 0)
    .flatMap((i) => pairs[i].responses.map((r) => encodeSequence(ds.tokenizer, pairs[i].prompt, r, 64)));
  const referenceTokens = referenceRows.reduce((a, s) => a + s.ids.length, 0);
  const referenceRun = () => void scoreSequences(reference, referenceRows, ds.tokenizer.padId, 2 * B);

  const prompts = ds.eval.slice(0, B).map((e) => e.prompt);
  const sampling = { maxNewTokens: 30, temperature: 1, topP: 1, batchSize: B };
  let sampledTokens = 0;
  const generateCase: BenchCase = recordOnFirstRun(
    {
      name: 'generate',
      tokens: 0,
      forwards: [],
      flops: 0,
      run: () => generateRun(),
      dispose: () => {
        model.dispose();
        reference.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    },
    model,
    (f) => forwardFlops(f, size, vocab),
  );
  const generateRun = () => {
    sampledTokens = sampleResponses(model, ds.tokenizer, prompts, sampling, seed).reduce(
      (a, r) => a + ds.tokenizer.encode(r).length + 1,
      0,
    );
    generateCase.tokens = sampledTokens;
  };

  const cases: BenchCase[] = [
    trainingCase(
      'sft-step',
      sftObjective({ model, tokenizer: ds.tokenizer, examples: ds.sft }),
      model.trainableParams(),
      ds.sft.length,
    ),
    trainingCase('dpo-step', dpo.lossFn, dpo.variables, pairs.length, () => dpo.dispose()),
    trainingCase(`dpo-spo-step (K=${degrees})`, dpoSpo.lossFn, dpoSpo.variables, pairs.length, () => dpoSpo.dispose()),
    recordOnFirstRun(
      { name: 'reference-pass', tokens: referenceTokens, forwards: [], flops: 0, run: referenceRun, dispose: () => {} },
      reference,
      (f) => forwardFlops(f, size, vocab),
    ),
    generateCase,
  ];
  return { model, cases };
}
