// A preference method's loss is a weighted sum of terms, as TRL sums its loss_types with loss_weights:
//   L = 1 · L_align + w · NLL(y_w) + λ · L_degree + η · KL(π ‖ π_ref)
// Each term owns what it needs: the rows it adds to the step's one concatenated forward, its loss and
// metrics on that forward, work to do outside the gradient tape before a step, its own trainable
// variables, and what it writes when training ends. trainPreference only assembles them.
import type { tf } from '@spo/engine';
import type { TokenizedSequence } from '@spo/data';

/** What one forward of the policy gives every term. */
export interface PreferenceForward {
  /** Batch examples, in order. */
  indices: readonly number[];
  /** Number of rows in the forward. */
  rowCount: number;
  /** Σ and mean log π over each row's response tokens [R]. */
  sum: tf.Tensor1D;
  mean: tf.Tensor1D;
  /**
   * Mean of each row's final hidden states over its real tokens, prompt and response [R, d] (computed on first call).
   */
  pooled(): tf.Tensor2D;
  /** Σ log π of response j of every batch example [B] (rows j·B .. j·B + B − 1). */
  column(j: number): tf.Tensor1D;
  /** Response lengths (tokens) of response j of every batch example [B]. */
  lengths(j: number): tf.Tensor1D;
  /** Σ log π over the tokens both responses of the example cover, of response j [B] (LD-DPO only). */
  prefixColumn?(j: number): tf.Tensor1D;
  /** Mean sampling-aligned log-prob of response j [B], no gradient (WPO only). */
  alignedMean?(j: number): tf.Tensor1D;
  /** Add the number of real tokens a term processes outside this forward (for tokens/s). */
  countTokens(n: number): void;
  step: number;
}

export interface TermOutput {
  /** The term's loss before its weight. */
  value: tf.Scalar;
  /** Scalars to log under TRL's names. */
  metrics: Record<string, tf.Scalar>;
}

export interface LossTerm<Rows = unknown> {
  name: string;
  weight: number;
  /** Rows this term needs in the forward for the examples at `indices`, appended to `rows`. */
  addRows?(indices: readonly number[], rows: TokenizedSequence[]): Rows;
  compute(forward: PreferenceForward, rows: Rows): TermOutput;
  /** Work outside the gradient tape before step `step` (sampling, say). */
  beforeStep?(step: number): void;
  /** Trainable variables besides the policy's (a head). */
  variables?: Map<string, tf.Variable>;
  /** Variables the term changes outside the gradient (a synced reference): kept in checkpoints. */
  state?: Map<string, tf.Variable>;
  /** After the last step, with a way to run the final policy on any examples: files the term writes. */
  finish?(forwardOf: (indices: number[]) => { rows: Rows; forward: () => PreferenceForward }): void;
  dispose?(): void;
}
