// The alignment term: the method's preference loss (DPO, IPO, SimPO, ..., or a list loss) on the
// batch's responses, with the frozen reference's log-probs from the cache and KTO's mismatched rows
// (each prompt with the best response written for the next example) when the loss needs them.
import { tf } from '@spo/engine';
import type { CausalLM } from '@spo/model';
import type { PreferenceList, TokenizedSequence, TextTokenizer } from '@spo/data';
import { preferenceLoss, type PairLossOutput, type PreferenceLossSpec } from '@spo/losses';
import { referenceLogProbs, type ReferenceLogProbs } from './reference-cache.js';
import type { LossTerm, PreferenceForward, TermOutput } from './loss-term.js';

export class AlignmentTerm implements LossTerm<number> {
  readonly name = 'align';
  readonly weight = 1;
  private readonly loss: PreferenceLossSpec;
  private readonly mismatched?: TokenizedSequence[];
  private readonly reference?: ReferenceLogProbs;
  /** Responses per example (2 for pairs). */
  private readonly columns: number;

  constructor(
    lossName: string,
    private readonly params: Record<string, unknown>,
    examples: readonly PreferenceList[],
    sequences: TokenizedSequence[][],
    encode: (prompt: string, response: string) => TokenizedSequence,
    o: { reference: CausalLM; tokenizer: TextTokenizer; dir: string; log?: (line: string) => void },
  ) {
    this.loss = preferenceLoss(lossName);
    const n = sequences[0]?.length ?? 0;
    this.mismatched =
      this.loss.input === 'pairs' && this.loss.needsMismatched
        ? examples.map((e, i) => encode(e.prompt, examples[(i + 1) % examples.length].responses[0]))
        : undefined;
    this.reference = this.loss.usesReference
      ? referenceLogProbs(o.dir, o.reference, o.tokenizer.padId, sequences, this.mismatched, o.log)
      : undefined;
    this.columns = n;
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
    let align: PairLossOutput;
    if (this.loss.input === 'pairs') {
      align = this.loss.fn(
        {
          policyChosen: f.column(0),
          policyRejected: f.column(1),
          referenceChosen: refOf(0),
          referenceRejected: refOf(1),
          chosenLengths: f.lengths(0),
          rejectedLengths: f.lengths(1),
          policyMismatched: this.mismatched ? (tf.slice(f.sum, [mismatchedStart], [B]) as tf.Tensor1D) : undefined,
          referenceMismatched: this.mismatched ? host((i) => this.reference!.mismatched![i]) : undefined,
        },
        this.params,
      );
    } else {
      const byColumn = (g: (j: number) => tf.Tensor1D) =>
        tf.stack(
          Array.from({ length: n }, (_, j) => g(j)),
          1,
        ) as tf.Tensor2D;
      const list = this.loss.fn(
        { policy: byColumn((j) => f.column(j)), reference: byColumn(refOf), lengths: byColumn((j) => f.lengths(j)) },
        this.params,
      );
      const rewardsOf = (j: number) => tf.squeeze(tf.slice(list.rewards, [0, j], [B, 1]), [1]) as tf.Tensor1D;
      align = { losses: list.losses, chosenRewards: rewardsOf(0), rejectedRewards: rewardsOf(n - 1) };
    }
    const value = tf.mean(align.losses) as tf.Scalar;
    return {
      value,
      metrics: {
        'align/loss': value,
        'rewards/chosen': tf.mean(align.chosenRewards) as tf.Scalar,
        'rewards/rejected': tf.mean(align.rejectedRewards) as tf.Scalar,
        'rewards/margins': tf.mean(tf.sub(align.chosenRewards, align.rejectedRewards)) as tf.Scalar,
        'rewards/accuracies': tf.mean(
          tf.cast(tf.greater(align.chosenRewards, align.rejectedRewards), 'float32'),
        ) as tf.Scalar,
        'logps/chosen': tf.mean(f.column(0)) as tf.Scalar,
        'logps/rejected': tf.mean(f.column(n - 1)) as tf.Scalar,
      },
    };
  }
}
