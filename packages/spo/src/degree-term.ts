// SPO's degree term (Li et al. 2024; docs/architecture.md §1), everything it owns in one place: the
// degree variants of the training responses (written to the run folder with their summary), the rows
// they add to a forward, the degree loss through the configured head (and the head's weights), and the
// final model's confusion matrix between levels. Its weight in the method's loss is λ. The trainer adds
// it to a method's loss through its loss-term interface, which this class meets by shape: it needs only
// the forward's row count, per-row mean log-probs and pooled hidden states (DegreeForward).
// A group is one response's variants, level 0 first. Levels that came out the same as the level above,
// or empty, were left out when the variants were made, so a group holds 2..K variants, each labelled
// with its own level; a response with fewer than 2 distinct levels has no group.
import { join } from 'node:path';
import { tf, rowSelector, writeFileAtomic, writeJsonAtomic } from '@spo/engine';
import type { PreferenceList, TokenizedSequence } from '@spo/data';
import type { SpoConfig } from './config.js';
import { buildDegreeVariantSet } from './degree-variant-set.js';
import { degreeLoss, degreeRankLoss } from './degree-loss.js';
import { createDegreeHead, degreeHeadLogits } from './degree-head.js';
import { writeDegreeConfusion, type DegreeConfusion } from './degree-confusion.js';

/** What one forward of the policy gives the term (the trainer's PreferenceForward has this and more). */
export interface DegreeForward {
  /** Number of rows in the forward. */
  rowCount: number;
  /** Mean log π over each row's response tokens [R]. */
  mean: tf.Tensor1D;
  /** Mean of each row's final hidden states over its real tokens [R, d]. */
  pooled(): tf.Tensor2D;
}

/** The term's loss before its weight λ, and its metrics (the trainer's TermOutput). */
export interface DegreeStepOutput {
  value: tf.Scalar;
  metrics: Record<string, tf.Scalar>;
}

interface DegreeGroup {
  /** Which response of the example the group varies (0 = chosen, n − 1 = rejected): its level-0 row. */
  column: number;
  /** Levels 1.. of the group as sequences (level 0 is the response's own row). */
  variants: TokenizedSequence[];
  /** The level of each of the group's variants, level 0 first, increasing. */
  labels: number[];
}

/** The degree rows of one forward: row indices and level labels of each group. */
export interface DegreeRows {
  groups: { rows: number[]; labels: number[] }[];
}

/** What the policy's forward gives the degree term. */
export interface DegreeInputs {
  /** Mean of each row's final hidden states over its real tokens [R, d] (computed when the head needs it). */
  pooled: () => tf.Tensor2D;
  /** Length-averaged log-prob of each row's response [R]. */
  meanLogProbs: tf.Tensor1D;
  /** Rows in the forward. */
  rowCount: number;
}

export interface DegreeTermOutput {
  /** Mean degree loss (per variant for the linear head, per group for logprob-rank). */
  loss: tf.Scalar;
  /** Share of variants whose level the model gets right. */
  accuracy: tf.Scalar;
  /** Predicted and true level of each variant, for the confusion matrix (host arrays, filled on read). */
  levels: () => { predicted: number[]; truth: number[] };
}

/** Confusion on the first (up to) this many examples' groups. */
const CONFUSION_EXAMPLES = 256;

export class SpoDegreeTerm {
  readonly name = 'spo';
  readonly weight: number;
  readonly head: Map<string, tf.Variable>;
  private readonly groups: DegreeGroup[][];

  constructor(
    private readonly spo: SpoConfig,
    private readonly examples: readonly PreferenceList[],
    encode: (prompt: string, response: string) => TokenizedSequence,
    private readonly o: { seed: number; dModel: number; dir: string; label: string; log?: (line: string) => void },
  ) {
    this.weight = spo.lambda;
    const n = examples[0]?.responses.length ?? 0;
    const set = buildDegreeVariantSet(examples, spo, o.seed);
    writeFileAtomic(
      join(o.dir, 'degree-variants.jsonl'),
      set.variants.map((v, i) => JSON.stringify({ prompt: examples[i].prompt, ...v })).join('\n') + '\n',
    );
    writeJsonAtomic(join(o.dir, 'degree-variants-summary.json'), { config: set.config, ...set.summary });
    this.groups = set.variants.map((v, i) => {
      const of = (column: number, levels: typeof v.chosen) =>
        levels && levels.length >= 2
          ? [
              {
                column,
                variants: levels.slice(1).map((x) => encode(examples[i].prompt, x.text)),
                labels: levels.map((x) => x.level),
              },
            ]
          : [];
      return [...of(0, v.chosen), ...of(n - 1, v.rejected)];
    });
    this.head = spo.head === 'linear' ? createDegreeHead(o.dModel, spo.degrees, o.seed) : new Map();
  }

  get variables(): Map<string, tf.Variable> {
    return this.head;
  }

  compute(f: DegreeForward, rows: DegreeRows): DegreeStepOutput {
    // a batch where no response has two distinct levels adds nothing; the metrics keep their places
    if (!rows.groups.length)
      return { value: tf.scalar(0), metrics: { 'degree/loss': tf.scalar(0), 'degree/accuracy': tf.scalar(NaN) } };
    const d = this.term(rows, { pooled: f.pooled, meanLogProbs: f.mean, rowCount: f.rowCount });
    return { value: d.loss, metrics: { 'degree/loss': d.loss, 'degree/accuracy': d.accuracy } };
  }

  finish(forwardOf: (indices: number[]) => { rows: DegreeRows; forward: () => DegreeForward }): void {
    const c = this.confusion(
      this.examples.length,
      (indices) => {
        const { rows, forward } = forwardOf(indices);
        return {
          rows,
          inputs: () => {
            const f = forward();
            return { pooled: f.pooled, meanLogProbs: f.mean, rowCount: f.rowCount };
          },
        };
      },
      this.o.dir,
    );
    this.o.log?.(
      c.accuracy === null
        ? `[${this.o.label}] no response had two distinct non-empty degree levels: the degree term never ran`
        : `[${this.o.label}] degree accuracy of the final model on ${c.variants} ` +
            `variants of ${c.groups} responses: ${c.accuracy.toFixed(3)}; ` +
            `confusion (rows: true level, columns: predicted): ${JSON.stringify(c.counts)}`,
    );
  }

  /** Append the variant rows of the examples at `indices` to `rows`; response j of batch example b is row j·B + b. */
  addRows(indices: readonly number[], rows: TokenizedSequence[]): DegreeRows {
    const B = indices.length;
    const groups: DegreeRows['groups'] = [];
    indices.forEach((i, b) => {
      for (const g of this.groups[i])
        groups.push({ rows: [g.column * B + b, ...g.variants.map((v) => rows.push(v) - 1)], labels: g.labels });
    });
    return { groups };
  }

  /** The degree loss of a forward's groups through the configured head. */
  term(d: DegreeRows, x: DegreeInputs): DegreeTermOutput {
    return this.spo.head === 'linear' ? this.linearTerm(d, x) : this.rankTerm(d, x);
  }

  /** linear head: cross-entropy of each variant's level from its mean-pooled hidden states. */
  private linearTerm(d: DegreeRows, x: DegreeInputs): DegreeTermOutput {
    const rows = d.groups.flatMap((g) => g.rows);
    const truth = d.groups.flatMap((g) => g.labels);
    const pooled = rowSelector(rows, x.rowCount)(x.pooled()) as tf.Tensor2D;
    const levels = tf.tensor1d(truth, 'int32');
    const out = degreeLoss(degreeHeadLogits(this.head, pooled), levels);
    return {
      loss: tf.mean(out.losses) as tf.Scalar,
      accuracy: tf.mean(tf.cast(tf.equal(out.predicted, levels), 'float32')) as tf.Scalar,
      levels: () => ({ predicted: Array.from(out.predicted.dataSync()), truth }),
    };
  }

  /**
   * logprob-rank: Plackett-Luce over each group's level order, scored by the policy's own length-averaged
   * log-likelihood; groups of the same size go through together. A variant's predicted level is the
   * level of the position the scores rank it at.
   */
  private rankTerm(d: DegreeRows, x: DegreeInputs): DegreeTermOutput {
    const bySize = new Map<number, DegreeRows['groups']>();
    for (const g of d.groups) bySize.set(g.rows.length, [...(bySize.get(g.rows.length) ?? []), g]);
    const scoreColumn = tf.reshape(x.meanLogProbs, [x.rowCount, 1]) as tf.Tensor2D;
    const losses: tf.Tensor1D[] = [],
      hits: tf.Tensor1D[] = [],
      ranks: { tensor: tf.Tensor1D; groups: DegreeRows['groups'] }[] = [];
    for (const [m, groups] of bySize) {
      const scores = tf.reshape(
        rowSelector(
          groups.flatMap((g) => g.rows),
          x.rowCount,
        )(scoreColumn),
        [groups.length, m],
      ) as tf.Tensor2D;
      const out = degreeRankLoss(scores);
      losses.push(out.losses);
      // labels increase within a group, so the level is right exactly when the rank equals the position
      hits.push(
        tf.cast(
          tf.equal(
            out.predicted,
            tf.tensor1d(
              groups.flatMap(() => Array.from({ length: m }, (_, k) => k)),
              'int32',
            ),
          ),
          'float32',
        ) as tf.Tensor1D,
      );
      ranks.push({ tensor: out.predicted, groups });
    }
    return {
      loss: tf.mean(tf.concat(losses)) as tf.Scalar,
      accuracy: tf.mean(tf.concat(hits)) as tf.Scalar,
      levels: () => {
        const predicted: number[] = [],
          truth: number[] = [];
        for (const { tensor, groups } of ranks) {
          const rank = tensor.dataSync();
          let j = 0;
          for (const g of groups)
            for (const level of g.labels) (truth.push(level), predicted.push(g.labels[rank[j++]]));
        }
        return { predicted, truth };
      },
    };
  }

  /** The final model's confusion between levels on the first examples' groups, written to degree-confusion.json. */
  confusion(
    exampleCount: number,
    forward: (indices: number[]) => { rows: DegreeRows; inputs: () => DegreeInputs },
    dir: string,
  ): DegreeConfusion {
    const K = this.spo.degrees;
    const counts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    let groups = 0,
      variants = 0;
    const all = Array.from({ length: Math.min(exampleCount, CONFUSION_EXAMPLES) }, (_, i) => i);
    for (let start = 0; start < all.length; start += 16) {
      const batch = forward(all.slice(start, start + 16));
      if (!batch.rows.groups.length) continue;
      groups += batch.rows.groups.length;
      tf.tidy(() => {
        const { predicted, truth } = this.term(batch.rows, batch.inputs()).levels();
        truth.forEach((level, j) => counts[level][predicted[j]]++);
        variants += truth.length;
      });
    }
    const correct = counts.reduce((s, row, k) => s + row[k], 0);
    // no variants (every response's levels empty or repeated): there is no accuracy to report, not 0
    const confusion: DegreeConfusion = {
      head: this.spo.head,
      groups,
      variants,
      counts,
      accuracy: variants ? correct / variants : null,
    };
    writeDegreeConfusion(dir, confusion);
    return confusion;
  }

  dispose(): void {
    for (const v of this.head.values()) v.dispose();
  }
}
