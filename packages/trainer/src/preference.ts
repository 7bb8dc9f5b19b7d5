// Preference training: a policy against a frozen reference whose log-probs are computed once and
// cached, chosen + rejected (+ SPO degree variants) in one concatenated forward, and the method's
// loss L = L_align + λ · L_degree (λ = 0 without SPO).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, matMul2d, writeJsonAtomic } from '@spo/engine';
import { sequenceLogProbs, saveCheckpoint, writeCheckpointFiles, type CausalLM } from '@spo/model';
import { encodeSequence, padBatch, type PreferenceWithDegrees, type TokenizedSequence, type WordTokenizer } from '@spo/data';
import { degreeLoss, preferenceLoss } from '@spo/losses';
import type { TrainConfig } from './config.js';
import type { MethodConfig } from './method.js';
import { batchTensors, meanPool } from './batch-tensors.js';
import { scoreSequences } from './sequence-scores.js';
import { createDegreeHead, degreeHeadLogits } from './degree-head.js';
import { trainLoop, type TrainSummary } from './train-loop.js';

export interface PreferenceArgs {
  policy: CausalLM;
  /** Frozen reference (usually the SFT model); used once to fill the log-prob cache. */
  reference: CausalLM;
  tokenizer: WordTokenizer;
  pairs: readonly PreferenceWithDegrees[];
  method: MethodConfig;
  config: TrainConfig;
  seed: number;
  dir: string;
  stopAfter?: number;
  log?: (line: string) => void;
}

interface ReferenceCache {
  pairs: number;
  chosen: number[];
  rejected: number[];
}

/** Reference log-probs of every pair, computed once and kept in the run folder. */
function referenceLogProbs(a: PreferenceArgs, chosen: TokenizedSequence[], rejected: TokenizedSequence[]): ReferenceCache {
  const path = join(a.dir, 'reference-logps.json');
  if (existsSync(path)) {
    const cached = JSON.parse(readFileSync(path, 'utf8')) as ReferenceCache;
    if (cached.pairs === a.pairs.length) return cached;
  }
  const scores = scoreSequences(a.reference, [...chosen, ...rejected], a.tokenizer.padId);
  const n = chosen.length;
  const cache = { pairs: n, chosen: Array.from(scores.sum.subarray(0, n)), rejected: Array.from(scores.sum.subarray(n)) };
  writeJsonAtomic(path, cache);
  return cache;
}

/** A response at level 0 and its K−1 pruned variants: row index of level 0 in the batch, and the variants. */
interface DegreeGroup {
  side: 'chosen' | 'rejected';
  variants: TokenizedSequence[];
}

export function trainPreference(a: PreferenceArgs): TrainSummary {
  const maxLength = a.policy.config.maxPositions;
  const encode = (prompt: string, response: string) => encodeSequence(a.tokenizer, prompt, response, maxLength);
  const chosen = a.pairs.map((p) => encode(p.prompt, p.chosen));
  const rejected = a.pairs.map((p) => encode(p.prompt, p.rejected));
  const reference = referenceLogProbs(a, chosen, rejected);
  const loss = preferenceLoss(a.method.loss);
  const spo = a.method.spo;

  let levels = 0;
  const groups: DegreeGroup[][] = a.pairs.map((p, i) => {
    if (!spo) return [];
    const out: DegreeGroup[] = [];
    for (const side of ['chosen', 'rejected'] as const) {
      const variants = side === 'chosen' ? p.chosenVariants : p.rejectedVariants;
      if (!variants) continue;
      levels = variants.length;
      out.push({ side, variants: variants.slice(1).map((v) => encode(p.prompt, v.text)) });
    }
    if (out.length === 0) throw new Error(`method ${a.method.name} uses SPO but pair ${i} has no degree variants; prepare the data with degrees`);
    return out;
  });
  const head = spo ? createDegreeHead(a.policy.config.dModel, levels, a.seed) : new Map<string, tf.Variable>();
  const variables = new Map([...a.policy.params, ...head]);

  const summary = trainLoop({
    stage: a.method.name,
    dir: a.dir,
    config: a.config,
    seed: a.seed,
    datasetSize: a.pairs.length,
    variables,
    stopAfter: a.stopAfter,
    log: a.log,
    writeModel: (d) => writeCheckpointFiles(d, a.policy, a.tokenizer.toJSON()),
    lossFn: (indices, countTokens) => {
      const B = indices.length;
      // rows: chosen [0, B), rejected [B, 2B), then each degree group's variants (levels 1..K−1)
      const rows = [...indices.map((i) => chosen[i]), ...indices.map((i) => rejected[i])];
      const degreeRows: number[] = [], degreeLevels: number[] = [];
      indices.forEach((i, b) => {
        for (const g of groups[i]) {
          degreeRows.push(g.side === 'chosen' ? b : B + b);
          degreeLevels.push(0);
          g.variants.forEach((v, k) => {
            degreeRows.push(rows.length);
            degreeLevels.push(k + 1);
            rows.push(v);
          });
        }
      });
      const batch = padBatch(rows, a.tokenizer.padId);
      countTokens(batch.tokens);
      const t = batchTensors(batch);
      const out = a.policy.forward(t.ids);
      const lp = sequenceLogProbs(out.logits, t.ids, t.responseMask);
      const policyChosen = tf.slice(lp.sum, [0], [B]) as tf.Tensor1D;
      const policyRejected = tf.slice(lp.sum, [B], [B]) as tf.Tensor1D;
      const align = loss.fn({
        policyChosen,
        policyRejected,
        referenceChosen: tf.tensor1d(indices.map((i) => reference.chosen[i])),
        referenceRejected: tf.tensor1d(indices.map((i) => reference.rejected[i])),
      }, a.method.params);
      const alignLoss = tf.mean(align.losses) as tf.Scalar;
      const metrics: Record<string, tf.Scalar> = {
        'align/loss': alignLoss,
        'rewards/chosen': tf.mean(align.chosenRewards) as tf.Scalar,
        'rewards/rejected': tf.mean(align.rejectedRewards) as tf.Scalar,
        'rewards/margins': tf.mean(tf.sub(align.chosenRewards, align.rejectedRewards)) as tf.Scalar,
        'rewards/accuracies': tf.mean(tf.cast(tf.greater(align.chosenRewards, align.rejectedRewards), 'float32')) as tf.Scalar,
        'logps/chosen': tf.mean(policyChosen) as tf.Scalar,
        'logps/rejected': tf.mean(policyRejected) as tf.Scalar,
      };
      if (!spo) return { loss: alignLoss, metrics };
      // select the degree rows of the pooled states with a one-hot matmul (gather has no WASM gradient)
      const select = new Float32Array(degreeRows.length * rows.length);
      degreeRows.forEach((r, j) => (select[j * rows.length + r] = 1));
      const pooled = matMul2d(tf.tensor2d(select, [degreeRows.length, rows.length]), meanPool(out.hidden, t.tokenMask));
      const degree = degreeLoss(degreeHeadLogits(head, pooled), tf.tensor1d(degreeLevels, 'int32'));
      const degreeMean = tf.mean(degree.losses) as tf.Scalar;
      metrics['degree/loss'] = degreeMean;
      metrics['degree/accuracy'] = tf.mean(degree.correct) as tf.Scalar;
      return { loss: tf.add(alignLoss, tf.mul(degreeMean, spo.lambda)) as tf.Scalar, metrics };
    },
  });
  for (const v of head.values()) v.dispose();
  if (summary.steps === a.config.steps) saveCheckpoint(join(a.dir, 'final'), a.policy, a.tokenizer.toJSON());
  return summary;
}
