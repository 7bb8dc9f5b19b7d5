// Preference training: a policy against a frozen reference whose log-probs are computed once and
// cached, every response of a batch (chosen, rejected or a ranked list, KTO's mismatched rows and
// SPO's degree variants) in one concatenated forward, and the method's loss
//   L = L_align + w · NLL(y_w) + λ · L_degree + η · KL(π ‖ π_ref)
// where each added term is present only if the method asks for it.
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { sequenceLogProbs, saveCheckpoint, writeCheckpointFiles, type CausalLM } from '@spo/model';
import { encodeSequence, padBatch, type PreferenceList, type TokenizedSequence, type TextTokenizer } from '@spo/data';
import { chosenNll, preferenceLoss, type PairLossOutput } from '@spo/losses';
import type { TrainConfig } from './config.js';
import type { MethodConfig } from './method.js';
import { batchTensors } from './batch-tensors.js';
import { SpoDegreeTerm, type DegreeRows } from './spo-degree-term.js';
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

/** Sequences of one forward: rows, and where SPO's degree groups sit in them. */
interface BatchLayout {
  rows: TokenizedSequence[];
  /** Row of response j of batch example b: j * B + b. */
  responses: number;
  mismatchedStart: number;
  degree?: DegreeRows;
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
  const degree = spo ? new SpoDegreeTerm(spo, a.examples, encode, { seed: a.seed, dModel: a.policy.config.dModel, dir: a.dir }) : undefined;
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
    return { rows, responses: n * B, mismatchedStart, degree: degree?.addRows(indices, rows) };
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
    if (degree && l.degree!.groups.length) {
      const d = degree.term(l.degree!, { hidden: out.hidden, tokenMask: t.tokenMask, meanLogProbs: lp.mean, rowCount: l.rows.length });
      metrics['degree/loss'] = d.loss;
      metrics['degree/accuracy'] = d.accuracy;
      terms.push(tf.mul(d.loss, spo!.lambda) as tf.Scalar);
    } else if (degree) { // no response of this batch has two distinct levels: the metrics keep their places
      metrics['degree/loss'] = tf.scalar(0);
      metrics['degree/accuracy'] = tf.scalar(NaN);
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
    variables: new Map([...a.policy.params, ...(degree?.head ?? [])]),
    stopAfter: a.stopAfter,
    log: a.log,
    writeModel: (d) => writeCheckpointFiles(d, a.policy, a.tokenizer.files()),
    beforeStep: kl ? (step) => kl.prepare(step) : undefined,
    lossFn,
  });
  kl?.dispose();
  if (summary.steps === a.config.steps) {
    if (degree) {
      const confusion = degree.confusion(a.examples.length, (indices) => {
        const l = layout(indices);
        return {
          rows: l.degree!,
          inputs: () => {
            const t = batchTensors(padBatch(l.rows, a.tokenizer.padId));
            const out = a.policy.forward(t.ids, { logitsFrom: t.logitsFrom });
            return { hidden: out.hidden, tokenMask: t.tokenMask, meanLogProbs: sequenceLogProbs(out.logits, t.ids, t.responseMask).mean, rowCount: l.rows.length };
          },
        };
      }, a.dir);
      a.log?.(`[${a.method.name}] degree accuracy of the final model on ${confusion.variants} variants of ${confusion.groups} responses: ${confusion.accuracy.toFixed(3)}; confusion (rows: true level, columns: predicted): ${JSON.stringify(confusion.counts)}`);
    }
    saveCheckpoint(join(a.dir, 'final'), a.policy, a.tokenizer.files());
  }
  degree?.dispose();
  return summary;
}
