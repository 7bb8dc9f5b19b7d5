// Preference training: the method's loss terms (loss-term.ts) assembled and summed with their weights,
//   L = L_align + w · NLL(y_w) + λ · L_degree + η · KL(π ‖ π_ref)
// each added term present only if the method asks for it, and every response of a batch (chosen,
// rejected or a ranked list, and the rows the terms add: KTO's mismatched rows, SPO's degree variants)
// in one concatenated forward of the policy, each distinct prompt encoded once (response-log-probs.ts).
import { join } from 'node:path';
import { tf } from '@spo/engine';
import { responseLogProbs, saveCheckpoint, writeCheckpointFiles, type CausalLM } from '@spo/model';
import { encodeSequence, type PreferenceList, type TokenizedSequence, type TextTokenizer } from '@spo/data';
import { preferenceLoss } from '@spo/losses';
import type { TrainConfig } from './config.js';
import { methodLosses, type MethodConfig } from './method.js';
import type { LossTerm, PreferenceForward } from './loss-term.js';
import { AlignmentTerm } from './alignment-term.js';
import { SftTerm } from './sft-term.js';
import { SpoDegreeTerm } from '@spo/spo';
import { KlTerm } from './kl-term.js';
import { trainLoop } from './train-loop.js';
import type { TrainSummary } from './train-summary.js';
import type { LossFn, StepLoss } from './train-step.js';

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

/** What a preference step optimises: the method's terms over one concatenated forward, and the variables they train. */
export interface PreferenceObjective {
  lossFn: LossFn;
  /** The policy's trainable parameters and the terms' own (SPO's degree head). */
  variables: Map<string, tf.Variable>;
  /** What the terms change outside the gradient and checkpoints keep (TR-DPO's reference). */
  state: Map<string, tf.Variable>;
  terms: LossTerm<any>[];
  /** Each term's end-of-training work (SPO's final degree accuracy). */
  finish(): void;
  dispose(): void;
}

/**
 * The loss of a preference step, as the trainer computes it: for `trainPreference`, and for the bench,
 * which times this same function.
 */
export function preferenceObjective(a: Omit<PreferenceArgs, 'config' | 'stopAfter'>): PreferenceObjective {
  const loss = preferenceLoss(methodLosses(a.method)[0].loss);
  const n = a.examples[0]?.responses.length ?? 0;
  for (const [i, e] of a.examples.entries()) {
    if (e.responses.length !== n)
      throw new Error(
        `example ${i} has ${e.responses.length} responses, example 0 has ${n}; ` +
          `lists of one run must have the same length`,
      );
  }
  if (loss.input === 'pairs' && n !== 2)
    throw new Error(`method "${a.method.name}" trains on pairs but the examples have ${n} responses`);
  const maxLength = a.policy.config.maxPositions;
  const encode = (prompt: string, response: string) => encodeSequence(a.tokenizer, prompt, response, maxLength);
  const sequences = a.examples.map((e) => e.responses.map((r) => encode(e.prompt, r)));
  const lengths = sequences.map((s) => s.map((x) => x.ids.length - x.promptLength));

  const { method } = a;
  let kl: KlTerm | undefined;
  const alignment = new AlignmentTerm(method, a.examples, sequences, encode, {
    policy: a.policy,
    reference: a.reference,
    tokenizer: a.tokenizer,
    dir: a.dir,
    log: a.log,
    onReferenceSync: () => kl?.referenceChanged(),
  });
  const terms: LossTerm<any>[] = [
    alignment,
    ...(method.sftWeight > 0 ? [new SftTerm(method.sftWeight)] : []),
    ...(method.spo
      ? [
          new SpoDegreeTerm(method.spo, a.examples, encode, {
            seed: a.seed,
            dModel: a.policy.config.dModel,
            dir: a.dir,
            label: method.name,
            log: a.log,
          }),
        ]
      : []),
    ...(method.kl
      ? [
          (kl = new KlTerm(method.kl.eta, {
            policy: a.policy,
            reference: a.reference,
            tokenizer: a.tokenizer,
            prompts: a.klPrompts ?? a.examples.map((e) => e.prompt),
            config: method.kl,
            seed: a.seed,
            dir: a.dir,
          })),
        ]
      : []),
  ];
  const extras = {
    prefixTokens: alignment.sharedLengths,
    sampledAlignment: method.weighting === 'wpo',
  };

  /**
   * One forward for the examples at `indices`: the responses
   * (response j of example b at row j·B + b), then each term's rows.
   */
  const forwardOf = (indices: number[], step = 0, countTokens: (k: number) => void = () => {}) => {
    const B = indices.length;
    const rows: TokenizedSequence[] = [];
    for (let j = 0; j < n; j++) for (const i of indices) rows.push(sequences[i][j]);
    const termRows = terms.map((t) => t.addRows?.(indices, rows));
    const forward = (): PreferenceForward => {
      countTokens(rows.reduce((total, s) => total + s.ids.length, 0));
      const lp = responseLogProbs(a.policy, rows, a.tokenizer.padId, undefined, {
        // LD-DPO's shared length for the response rows; other terms' rows need no prefix
        prefixTokens: extras.prefixTokens && rows.map((_, r) => (r < n * B ? extras.prefixTokens![indices[r % B]] : 0)),
        sampledAlignment: extras.sampledAlignment,
      });
      let pooled: tf.Tensor2D | undefined;
      // each response column's log-probs and lengths, sliced or uploaded once per step
      const sliceColumns = (x: tf.Tensor1D) =>
        Array.from({ length: n }, (_, j) => tf.slice(x, [j * B], [B]) as tf.Tensor1D);
      const columns = sliceColumns(lp.sum);
      const prefixColumns = lp.prefixSum && sliceColumns(lp.prefixSum);
      const alignedColumns = lp.alignedMean && sliceColumns(lp.alignedMean);
      const responseLengths = Array.from({ length: n }, (_, j) => tf.tensor1d(indices.map((i) => lengths[i][j])));
      return {
        indices,
        rowCount: rows.length,
        sum: lp.sum,
        mean: lp.mean,
        pooled: () => (pooled ??= lp.pooled()),
        column: (j) => columns[j],
        lengths: (j) => responseLengths[j],
        prefixColumn: prefixColumns && ((j) => prefixColumns[j]),
        alignedMean: alignedColumns && ((j) => alignedColumns[j]),
        countTokens,
        step,
      };
    };
    return { termRows, forward };
  };

  const lossFn = (indices: number[], countTokens: (k: number) => void, step: number): StepLoss => {
    const { termRows, forward } = forwardOf(indices, step, countTokens);
    const f = forward();
    const metrics: Record<string, tf.Scalar> = {};
    const weighted = terms.map((term, k) => {
      const out = term.compute(f, termRows[k]);
      Object.assign(metrics, out.metrics);
      return term.weight === 1 ? out.value : (tf.mul(out.value, term.weight) as tf.Scalar);
    });
    return { loss: (weighted.length === 1 ? weighted[0] : tf.addN(weighted)) as tf.Scalar, metrics };
  };

  return {
    lossFn,
    variables: new Map([...a.policy.trainableParams(), ...terms.flatMap((t) => [...(t.variables ?? [])])]),
    state: new Map(terms.flatMap((t) => [...(t.state ?? [])])),
    terms,
    finish: () =>
      terms.forEach((term, k) =>
        term.finish?.((indices) => {
          const { termRows, forward } = forwardOf(indices);
          return { rows: termRows[k], forward };
        }),
      ),
    dispose: () => terms.forEach((t) => t.dispose?.()),
  };
}

export function trainPreference(a: PreferenceArgs): TrainSummary {
  const objective = preferenceObjective(a);
  a.policy.gradientCheckpointing = a.config.gradientCheckpointing;
  const summary = trainLoop({
    stage: a.method.name,
    section: 'preference',
    dir: a.dir,
    config: a.config,
    seed: a.seed,
    datasetSize: a.examples.length,
    variables: objective.variables,
    state: objective.state,
    stopAfter: a.stopAfter,
    log: a.log,
    writeModel: (d) => writeCheckpointFiles(d, a.policy, a.tokenizer.files()),
    beforeStep: (step) => objective.terms.forEach((t) => t.beforeStep?.(step)),
    lossFn: objective.lossFn,
  });
  if (summary.steps === a.config.steps) {
    objective.finish();
    saveCheckpoint(join(a.dir, 'final'), a.policy, a.tokenizer.files());
  }
  objective.dispose();
  return summary;
}
