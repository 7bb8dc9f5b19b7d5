// The alignment term: the method's preference loss (DPO, IPO, SimPO, ..., a list loss, or a weighted
// mixture of pair losses) on the batch's responses, with the frozen reference's log-probs from the cache
// and KTO's mismatched rows (each prompt with the best response written for the next example) when a loss
// needs them. What changes the log-probs the losses see lives here too: LD-DPO's desensitised log-probs
// (policy and reference alike), WPO's pair weights, and TR-DPO's reference sync, after which the cached
// reference log-probs are recomputed.
import { tf } from '@spo/engine';
import type { CausalLM } from '@spo/model';
import type { PreferenceList, TokenizedSequence, TextTokenizer } from '@spo/data';
import {
  lengthDesensitised,
  preferenceLoss,
  wpoWeights,
  type PairLogProbs,
  type PairLossOutput,
  type PreferenceLossSpec,
} from '@spo/losses';
import { referenceLogProbs, type ReferenceLogProbs } from './reference-cache.js';
import { methodLosses, type MethodConfig } from './method.js';
import type { LossTerm, PreferenceForward, TermOutput } from './loss-term.js';

interface WeightedLoss {
  name: string;
  spec: PreferenceLossSpec;
  params: Record<string, unknown>;
  weight: number;
}

export interface AlignmentTermOptions {
  policy: CausalLM;
  reference: CausalLM;
  tokenizer: TextTokenizer;
  dir: string;
  log?: (line: string) => void;
  /** Called after each reference sync (the KL regulariser's reference pool is then stale). */
  onReferenceSync?: () => void;
}

export class AlignmentTerm implements LossTerm<number> {
  readonly name = 'align';
  readonly weight = 1;
  private readonly losses: WeightedLoss[];
  private readonly mismatched?: TokenizedSequence[];
  private reference?: ReferenceLogProbs;
  /** Responses per example (2 for pairs). */
  private readonly columns: number;
  /** Per example, the response tokens both of its responses cover (LD-DPO). */
  readonly sharedLengths?: number[];
  /** TR-DPO: the reference's weights, saved in checkpoints because syncs change them. */
  readonly state?: Map<string, tf.Variable>;
  private started = false;

  constructor(
    private readonly method: MethodConfig,
    examples: readonly PreferenceList[],
    private readonly sequences: TokenizedSequence[][],
    encode: (prompt: string, response: string) => TokenizedSequence,
    private readonly o: AlignmentTermOptions,
  ) {
    this.losses = methodLosses(method).map((e) => ({ name: e.loss, spec: preferenceLoss(e.loss), ...e }));
    this.columns = sequences[0]?.length ?? 0;
    const needsMismatched = this.losses.some((l) => l.spec.input === 'pairs' && l.spec.needsMismatched);
    this.mismatched = needsMismatched
      ? examples.map((e, i) => encode(e.prompt, examples[(i + 1) % examples.length].responses[0]))
      : undefined;
    if (method.ldAlpha !== undefined)
      this.sharedLengths = sequences.map((s) => Math.min(...s.map((x) => x.ids.length - x.promptLength)));
    if (method.referenceSync)
      this.state = new Map([...o.reference.params].map(([name, v]) => [`reference.${name}`, v]));
    this.refreshReference();
  }

  private get usesReference(): boolean {
    return this.losses.some((l) => l.spec.usesReference);
  }

  /** The reference's log-probs of every response, from the cache when it was computed from these weights. */
  private refreshReference(): void {
    if (!this.usesReference) return;
    this.reference = referenceLogProbs(
      this.o.dir,
      this.o.reference,
      this.o.tokenizer.padId,
      this.sequences,
      this.mismatched,
      this.o.log,
      this.sharedLengths,
    );
  }

  /**
   * TR-DPO (Gorbatovski et al. 2024, Eqs. 4-5): every `every` steps, θ_ref ← α θ + (1 − α) θ_ref (hard:
   * α = 1), then the cached reference log-probs are recomputed. A resumed run's reference comes back
   * from its checkpoint (train-loop.ts state), after this term was built from the SFT weights, so the
   * first step of a resumed run refreshes the cache too.
   */
  beforeStep(step: number): void {
    const sync = this.method.referenceSync;
    if (!sync) return;
    const due = step > 0 && step % sync.every === 0;
    if (!this.started && step > 0 && !due) this.refreshReference();
    this.started = true;
    if (!due) return;
    const alpha = sync.mode === 'hard' ? 1 : sync.alpha!;
    const policy = this.o.policy;
    tf.tidy(() => {
      for (const [name, ref] of this.o.reference.params) {
        const own = policy.params.get(name)!;
        const theta = policy.lora ? policy.lora.effective(name, own) : own;
        ref.assign(alpha === 1 ? theta.clone() : (tf.add(tf.mul(theta, alpha), tf.mul(ref, 1 - alpha)) as tf.Tensor));
      }
    });
    this.o.log?.(
      `[reference] step ${step}: ${sync.mode} sync (α = ${alpha}) of the reference to the policy; ` +
        `recomputing its log-probs`,
    );
    this.refreshReference();
    this.o.onReferenceSync?.();
  }

  /** KTO's mismatched rows; returns where they start. */
  addRows(indices: readonly number[], rows: TokenizedSequence[]): number {
    const start = rows.length;
    if (this.mismatched) for (const i of indices) rows.push(this.mismatched[i]);
    return start;
  }

  compute(f: PreferenceForward, mismatchedStart: number): TermOutput {
    const B = f.indices.length,
      n = this.columns;
    const host = (g: (i: number) => number) => tf.tensor1d(f.indices.map(g));
    const refOf = (j: number) => host((i) => this.reference?.responses[i][j] ?? 0);
    const metrics: Record<string, tf.Scalar> = {};
    let losses: tf.Tensor1D, first: PairLossOutput;
    const spec0 = this.losses[0].spec;
    if (spec0.input === 'lists') {
      const byColumn = (g: (j: number) => tf.Tensor1D) =>
        tf.stack(
          Array.from({ length: n }, (_, j) => g(j)),
          1,
        ) as tf.Tensor2D;
      const list = spec0.fn(
        { policy: byColumn((j) => f.column(j)), reference: byColumn(refOf), lengths: byColumn((j) => f.lengths(j)) },
        this.losses[0].params,
      );
      const rewardsOf = (j: number) => tf.squeeze(tf.slice(list.rewards, [0, j], [B, 1]), [1]) as tf.Tensor1D;
      first = { losses: list.losses, chosenRewards: rewardsOf(0), rejectedRewards: rewardsOf(n - 1) };
      losses = list.losses;
    } else {
      const lp = this.pairLogProbs(f, mismatchedStart, refOf, host);
      const outputs = this.losses.map((l) => (l.spec.input === 'pairs' ? l.spec.fn(lp, l.params) : undefined)!);
      first = outputs[0];
      if (outputs.length > 1)
        this.losses.forEach((l, k) => (metrics[`align/${l.name}`] = tf.mean(outputs[k].losses) as tf.Scalar));
      losses = outputs.reduce(
        (total, out, k) => {
          const weighted = this.losses[k].weight === 1 ? out.losses : tf.mul(out.losses, this.losses[k].weight);
          return (total ? tf.add(total, weighted) : weighted) as tf.Tensor1D;
        },
        undefined as tf.Tensor1D | undefined,
      )!;
      if (this.method.weighting === 'wpo') {
        const weights = wpoWeights(f.alignedMean!(0), f.alignedMean!(1));
        metrics['wpo/weight'] = tf.mean(weights) as tf.Scalar;
        losses = tf.mul(losses, weights) as tf.Tensor1D;
      }
    }
    const value = tf.mean(losses) as tf.Scalar;
    // syncs so far: one at every τ-th step, this step's included
    const sync = this.method.referenceSync;
    if (sync) metrics['reference/syncs'] = tf.scalar(Math.floor(f.step / sync.every));
    return {
      value,
      metrics: {
        'align/loss': value,
        ...metrics,
        'rewards/chosen': tf.mean(first.chosenRewards) as tf.Scalar,
        'rewards/rejected': tf.mean(first.rejectedRewards) as tf.Scalar,
        'rewards/margins': tf.mean(tf.sub(first.chosenRewards, first.rejectedRewards)) as tf.Scalar,
        'rewards/accuracies': tf.mean(
          tf.cast(tf.greater(first.chosenRewards, first.rejectedRewards), 'float32'),
        ) as tf.Scalar,
        'logps/chosen': tf.mean(f.column(0)) as tf.Scalar,
        'logps/rejected': tf.mean(f.column(n - 1)) as tf.Scalar,
      },
    };
  }

  /** The pair's log-probs as the losses see them: LD-DPO's desensitised ones when ldAlpha is set. */
  private pairLogProbs(
    f: PreferenceForward,
    mismatchedStart: number,
    refOf: (j: number) => tf.Tensor1D,
    host: (g: (i: number) => number) => tf.Tensor1D,
  ): PairLogProbs {
    const B = f.indices.length;
    const alpha = this.method.ldAlpha;
    const policy = (j: number) =>
      alpha === undefined ? f.column(j) : lengthDesensitised(f.column(j), f.prefixColumn!(j), alpha);
    const reference = (j: number) =>
      alpha === undefined || !this.reference
        ? refOf(j)
        : lengthDesensitised(
            refOf(j),
            host((i) => this.reference!.prefixes![i][j]),
            alpha,
          );
    return {
      policyChosen: policy(0),
      policyRejected: policy(1),
      referenceChosen: reference(0),
      referenceRejected: reference(1),
      chosenLengths: f.lengths(0),
      rejectedLengths: f.lengths(1),
      policyMismatched: this.mismatched ? (tf.slice(f.sum, [mismatchedStart], [B]) as tf.Tensor1D) : undefined,
      referenceMismatched: this.mismatched ? host((i) => this.reference!.mismatched![i]) : undefined,
    };
  }
}
