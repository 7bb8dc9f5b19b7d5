// Preference training: a policy against a frozen reference whose log-probs are computed once and
// cached, every response of a batch (chosen, rejected or a ranked list, KTO's mismatched rows and
// SPO's degree variants) in one concatenated forward, and the method's loss
//   L = L_align + w · NLL(y_w) + λ · L_degree + η · KL(π ‖ π_ref)
// where each added term is present only if the method asks for it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, matMul2d, writeJsonAtomic } from '@spo/engine';
import { sequenceLogProbs, saveCheckpoint, writeCheckpointFiles, type CausalLM } from '@spo/model';
import { buildDegreeVariantSet, encodeSequence, padBatch, type PreferenceList, type TokenizedSequence, type TextTokenizer } from '@spo/data';
import { chosenNll, degreeLoss, degreeRankLoss, preferenceLoss, type DegreeLossOutput, type PairLossOutput } from '@spo/losses';
import type { TrainConfig } from './config.js';
import type { MethodConfig } from './method.js';
import { batchTensors, meanPool } from './batch-tensors.js';
import { createDegreeHead, degreeHeadLogits } from './degree-head.js';
import { KlRegularizer } from './kl-regularizer.js';
import { referenceLogProbs } from './reference-cache.js';
import { trainLoop, type StepLoss, type TrainSummary } from './train-loop.js';

export interface PreferenceArgs {
  policy: CausalLM;
  /** Frozen reference (usually the SFT model): fills the log-prob cache and, with `kl`, the regulariser. */
  reference: CausalLM;
  tokenizer: TextTokenizer;
  /** Ranked responses, best first; a pair is a list of two. */
  examples: readonly PreferenceList[];
  /** Prompts the KL regulariser samples on (method.kl.prompts picks which set the caller passes). */
  klPrompts?: readonly string[];
  method: MethodConfig;
  config: TrainConfig;
  seed: number;
  dir: string;
  stopAfter?: number;
  log?: (line: string) => void;
}

/** The K variants of one response as sequences, level 0 first (level 0 is the response itself). */
type DegreeGroup = { column: number; levels: TokenizedSequence[] };

/** Sequences of one forward: rows, and where each group of a batch sits in them. */
interface BatchLayout {
  rows: TokenizedSequence[];
  /** Row of response j of batch example b: j * B + b. */
  responses: number;
  mismatchedStart: number;
  /** Row indices of each degree group's K levels, level 0 first. */
  degreeGroups: number[][];
}

export function trainPreference(a: PreferenceArgs): TrainSummary {
  const loss = preferenceLoss(a.method.loss);
  const n = a.examples[0]?.responses.length ?? 0;
  for (const [i, e] of a.examples.entries()) {
    if (e.responses.length !== n) throw new Error(`example ${i} has ${e.responses.length} responses, example 0 has ${n}; lists of one run must have the same length`);
  }
  if (loss.input === 'pairs' && n !== 2) throw new Error(`loss "${a.method.loss}" trains on pairs but the examples have ${n} responses`);
  const maxLength = a.policy.config.maxPositions;
  const encode = (prompt: string, response: string) => encodeSequence(a.tokenizer, prompt, response, maxLength);
  const sequences = a.examples.map((e) => e.responses.map((r) => encode(e.prompt, r)));
  const lengths = sequences.map((s) => s.map((x) => x.ids.length - x.promptLength));
  // KTO's mismatched row for example i: its prompt with the best response written for example i + 1
  const mismatched = loss.input === 'pairs' && loss.needsMismatched
    ? a.examples.map((e, i) => encode(e.prompt, a.examples[(i + 1) % a.examples.length].responses[0]))
    : undefined;
  const reference = loss.usesReference ? referenceLogProbs(a.dir, a.reference, a.tokenizer.padId, sequences, mismatched, a.log) : undefined;

  const spo = a.method.spo;
  const degreeGroups: DegreeGroup[][] = a.examples.map(() => []);
  if (spo) {
    const set = buildDegreeVariantSet(a.examples, spo, a.seed);
    writeFileSync(join(a.dir, 'degree-variants.jsonl'), set.variants.map((v, i) => JSON.stringify({ prompt: a.examples[i].prompt, ...v })).join('\n') + '\n');
    writeJsonAtomic(join(a.dir, 'degree-variants-summary.json'), { config: set.config, ...set.summary });
    set.variants.forEach((v, i) => {
      if (v.chosen) degreeGroups[i].push({ column: 0, levels: v.chosen.map((x) => encode(a.examples[i].prompt, x.text)) });
      if (v.rejected) degreeGroups[i].push({ column: n - 1, levels: v.rejected.map((x) => encode(a.examples[i].prompt, x.text)) });
    });
  }
  const head = spo?.head === 'linear' ? createDegreeHead(a.policy.config.dModel, spo.degrees, a.seed) : new Map<string, tf.Variable>();
  const kl = a.method.kl ? new KlRegularizer({
    policy: a.policy, reference: a.reference, tokenizer: a.tokenizer, prompts: a.klPrompts ?? a.examples.map((e) => e.prompt), config: a.method.kl, seed: a.seed, dir: a.dir,
  }) : undefined;

  /** Rows of one forward for the examples at `indices`. */
  const layout = (indices: number[]): BatchLayout => {
    const B = indices.length;
    const rows: TokenizedSequence[] = [];
    for (let j = 0; j < n; j++) for (const i of indices) rows.push(sequences[i][j]);
    const mismatchedStart = rows.length;
    if (mismatched) for (const i of indices) rows.push(mismatched[i]);
    const groups: number[][] = [];
    indices.forEach((i, b) => {
      for (const g of degreeGroups[i]) {
        const at = [g.column * B + b];
        for (const v of g.levels.slice(1)) at.push(rows.push(v) - 1);
        groups.push(at);
      }
    });
    return { rows, responses: n * B, mismatchedStart, degreeGroups: groups };
  };

  /** SPO's degree loss on the groups of a forward, through the configured head. */
  const degreeTerm = (l: BatchLayout, hidden: tf.Tensor3D, tokenMask: tf.Tensor2D, meanLogProbs: tf.Tensor1D): { out: DegreeLossOutput; levels: tf.Tensor1D } => {
    const K = spo!.degrees, R = l.rows.length, G = l.degreeGroups.length;
    const select = new Float32Array(G * K * R);
    l.degreeGroups.flat().forEach((r, j) => (select[j * R + r] = 1));
    const selectT = tf.tensor2d(select, [G * K, R]);
    const levels = tf.tensor1d(l.degreeGroups.flatMap(() => Array.from({ length: K }, (_, k) => k)), 'int32');
    if (spo!.head === 'linear') {
      // one-hot matmul instead of gather: gather has no gradient on WASM
      const pooled = matMul2d(selectT, meanPool(hidden, tokenMask));
      return { out: degreeLoss(degreeHeadLogits(head, pooled), levels), levels };
    }
    const scores = tf.reshape(matMul2d(selectT, tf.reshape(meanLogProbs, [R, 1]) as tf.Tensor2D), [G, K]) as tf.Tensor2D;
    return { out: degreeRankLoss(scores), levels };
  };

  const lossFn = (indices: number[], countTokens: (n: number) => void, step: number): StepLoss => {
    const B = indices.length;
    const l = layout(indices);
    const batch = padBatch(l.rows, a.tokenizer.padId);
    countTokens(batch.tokens);
    const t = batchTensors(batch);
    const out = a.policy.forward(t.ids, { logitsFrom: t.logitsFrom });
    const lp = sequenceLogProbs(out.logits, t.ids, t.responseMask);
    // each response column's policy log-probs, reference log-probs and lengths, sliced or uploaded once
    const host = (f: (i: number) => number) => tf.tensor1d(indices.map(f));
    const columns = Array.from({ length: n }, (_, j) => tf.slice(lp.sum, [j * B], [B]) as tf.Tensor1D);
    const references = Array.from({ length: n }, (_, j) => host((i) => reference?.responses[i][j] ?? 0));
    const responseLengths = Array.from({ length: n }, (_, j) => host((i) => lengths[i][j]));
    const column = (j: number) => columns[j];
    const refOf = (j: number) => references[j];
    const lenOf = (j: number) => responseLengths[j];
    let align: PairLossOutput;
    if (loss.input === 'pairs') {
      align = loss.fn({
        policyChosen: column(0), policyRejected: column(1), referenceChosen: refOf(0), referenceRejected: refOf(1),
        chosenLengths: lenOf(0), rejectedLengths: lenOf(1),
        policyMismatched: mismatched ? (tf.slice(lp.sum, [l.mismatchedStart], [B]) as tf.Tensor1D) : undefined,
        referenceMismatched: mismatched ? host((i) => reference!.mismatched![i]) : undefined,
      }, a.method.params);
    } else {
      const byColumn = (f: (j: number) => tf.Tensor1D) => tf.stack(Array.from({ length: n }, (_, j) => f(j)), 1) as tf.Tensor2D;
      const list = loss.fn({ policy: byColumn(column), reference: byColumn(refOf), lengths: byColumn(lenOf) }, a.method.params);
      const rewardsOf = (j: number) => tf.squeeze(tf.slice(list.rewards, [0, j], [B, 1]), [1]) as tf.Tensor1D;
      align = { losses: list.losses, chosenRewards: rewardsOf(0), rejectedRewards: rewardsOf(n - 1) };
    }
    const alignLoss = tf.mean(align.losses) as tf.Scalar;
    const metrics: Record<string, tf.Scalar> = {
      'align/loss': alignLoss,
      'rewards/chosen': tf.mean(align.chosenRewards) as tf.Scalar,
      'rewards/rejected': tf.mean(align.rejectedRewards) as tf.Scalar,
      'rewards/margins': tf.mean(tf.sub(align.chosenRewards, align.rejectedRewards)) as tf.Scalar,
      'rewards/accuracies': tf.mean(tf.cast(tf.greater(align.chosenRewards, align.rejectedRewards), 'float32')) as tf.Scalar,
      'logps/chosen': tf.mean(column(0)) as tf.Scalar,
      'logps/rejected': tf.mean(column(n - 1)) as tf.Scalar,
    };
    const terms: tf.Scalar[] = [alignLoss];
    if (a.method.sftWeight > 0) {
      const nll = tf.mean(chosenNll({ policyChosen: column(0), chosenLengths: lenOf(0) })) as tf.Scalar;
      metrics['sft/nll'] = nll;
      terms.push(tf.mul(nll, a.method.sftWeight) as tf.Scalar);
    }
    if (spo) {
      const { out: degree, levels } = degreeTerm(l, out.hidden, t.tokenMask, lp.mean);
      const degreeMean = tf.mean(degree.losses) as tf.Scalar;
      metrics['degree/loss'] = degreeMean;
      metrics['degree/accuracy'] = tf.mean(tf.cast(tf.equal(degree.predicted, levels), 'float32')) as tf.Scalar;
      terms.push(tf.mul(degreeMean, spo.lambda) as tf.Scalar);
    }
    if (kl) {
      const estimate = kl.term(step, countTokens);
      metrics['kl/policy_ref'] = estimate;
      terms.push(tf.mul(estimate, a.method.kl!.eta) as tf.Scalar);
    }
    return { loss: (terms.length === 1 ? alignLoss : tf.addN(terms)) as tf.Scalar, metrics };
  };

  a.policy.gradientCheckpointing = a.config.gradientCheckpointing;
  const summary = trainLoop({
    stage: a.method.name,
    section: 'preference',
    dir: a.dir,
    config: a.config,
    seed: a.seed,
    datasetSize: a.examples.length,
    variables: new Map([...a.policy.params, ...head]),
    stopAfter: a.stopAfter,
    log: a.log,
    writeModel: (d) => writeCheckpointFiles(d, a.policy, a.tokenizer.files()),
    beforeStep: kl ? (step) => kl.prepare(step) : undefined,
    lossFn,
  });
  kl?.dispose();
  if (summary.steps === a.config.steps) {
    if (spo) {
      const confusion = degreeConfusion(a.examples.length, layout, (l) => {
        const batch = padBatch(l.rows, a.tokenizer.padId);
        const t = batchTensors(batch);
        const out = a.policy.forward(t.ids, { logitsFrom: t.logitsFrom });
        const { out: degree, levels } = degreeTerm(l, out.hidden, t.tokenMask, sequenceLogProbs(out.logits, t.ids, t.responseMask).mean);
        return [degree.predicted.dataSync(), levels.dataSync()];
      }, spo.degrees);
      writeJsonAtomic(join(a.dir, 'degree-confusion.json'), { head: spo.head, ...confusion });
      a.log?.(`[${a.method.name}] degree accuracy of the final model on ${confusion.groups} responses: ${confusion.accuracy.toFixed(3)}; confusion (rows: true level, columns: predicted): ${JSON.stringify(confusion.counts)}`);
    }
    saveCheckpoint(join(a.dir, 'final'), a.policy, a.tokenizer.files());
  }
  for (const v of head.values()) v.dispose();
  return summary;
}

export interface DegreeConfusion {
  groups: number;
  /** counts[true level][predicted level] */
  counts: number[][];
  accuracy: number;
}

/** The degree head's confusion between levels on the first (up to) 256 examples' degree groups. */
function degreeConfusion(examples: number, layout: (indices: number[]) => BatchLayout, predict: (l: BatchLayout) => [ArrayLike<number>, ArrayLike<number>], K: number): DegreeConfusion {
  const counts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let groups = 0;
  const all = Array.from({ length: Math.min(examples, 256) }, (_, i) => i);
  for (let start = 0; start < all.length; start += 16) {
    const l = layout(all.slice(start, start + 16));
    groups += l.degreeGroups.length;
    let predicted: ArrayLike<number> = [], levels: ArrayLike<number> = [];
    tf.tidy(() => void ([predicted, levels] = predict(l)));
    for (let j = 0; j < levels.length; j++) counts[levels[j]][predicted[j]]++;
  }
  const correct = counts.reduce((s, row, k) => s + row[k], 0);
  return { groups, counts, accuracy: correct / Math.max(1, groups * K) };
}
