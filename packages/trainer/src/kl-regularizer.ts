// Soft Preference Optimization's regulariser (Sharifnassab et al. 2024): the KL between the policy and
// the reference over the model's whole output distribution, estimated on the policy's own samples:
//   KL ≈ mean over sampled response positions t of Σ_v π(v|x, y_<t) [log π(v|x, y_<t) − log π_ref(v|x, y_<t)]
// exact over the vocabulary at each position. A pool of responses is sampled from the current policy
// every `resampleEvery` steps on the configured prompts and saved in the run folder, so a resumed run
// uses the very same samples; the reference's log-softmax over the pool is computed once per pool.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf, Rng, readJsonFile, writeJsonAtomic } from '@spo/engine';
import { generate, type CausalLM } from '@spo/model';
import { encodePrompt, padBatch, type PaddedBatch, type TokenizedSequence, type TextTokenizer } from '@spo/data';
import type { KlRegularizerConfig } from './method.js';

export interface KlRegularizerArgs {
  policy: CausalLM;
  reference: CausalLM;
  tokenizer: TextTokenizer;
  prompts: readonly string[];
  config: KlRegularizerConfig;
  seed: number;
  /** The run folder: pools go to kl-samples/. */
  dir: string;
}

interface Pool {
  step: number;
  batch: PaddedBatch;
  /** log π_ref at every position of every pooled sequence [S, T, V]. */
  referenceLogProbs: tf.Tensor3D;
}

export class KlRegularizer {
  private pool?: Pool;

  constructor(private readonly a: KlRegularizerArgs) {}

  /** Make sure the pool for `step` exists: loaded from the run folder or sampled now. Call outside the tape. */
  prepare(step: number): void {
    const poolStep = Math.floor(step / this.a.config.resampleEvery) * this.a.config.resampleEvery;
    if (this.pool?.step === poolStep) return;
    this.dispose();
    const sequences = this.loadOrSample(poolStep);
    const batch = padBatch(sequences, this.a.tokenizer.padId);
    const chunks: tf.Tensor3D[] = [];
    for (let start = 0; start < batch.rows; start += 32) {
      const rows = Math.min(32, batch.rows - start);
      chunks.push(
        tf.tidy(() => {
          const ids = tf.tensor2d(
            batch.ids.subarray(start * batch.width, (start + rows) * batch.width),
            [rows, batch.width],
            'int32',
          );
          return tf.logSoftmax(this.a.reference.forward(ids).logits) as tf.Tensor3D;
        }),
      );
    }
    const referenceLogProbs = tf.concat(chunks) as tf.Tensor3D;
    tf.dispose(chunks);
    this.pool = { step: poolStep, batch, referenceLogProbs };
  }

  /** The KL estimate on this step's share of the pool, differentiable in the policy. */
  term(step: number, countTokens: (n: number) => void): tf.Scalar {
    const pool = this.pool;
    if (!pool) throw new Error('KlRegularizer.term called before prepare');
    const { batch } = pool;
    const picked = new Rng(`${this.a.seed}/kl-batch/${step}`)
      .shuffle(Array.from({ length: batch.rows }, (_, i) => i))
      .slice(0, this.a.config.batchSize);
    const ids = new Int32Array(picked.length * batch.width),
      mask = new Float32Array(picked.length * batch.width);
    picked.forEach((r, i) => {
      ids.set(batch.ids.subarray(r * batch.width, (r + 1) * batch.width), i * batch.width);
      mask.set(batch.responseMask.subarray(r * batch.width, (r + 1) * batch.width), i * batch.width);
      countTokens(batch.tokenMask.subarray(r * batch.width, (r + 1) * batch.width).reduce((x, y) => x + y, 0));
    });
    const T = batch.width,
      b = picked.length;
    const logits = this.a.policy.forward(tf.tensor2d(ids, [b, T], 'int32')).logits;
    const V = logits.shape[2];
    // position t predicts token t + 1: score the positions whose next token is a sampled response token
    const policyLogProbs = tf.slice(tf.logSoftmax(logits), [0, 0, 0], [b, T - 1, V]);
    const referenceLogProbs = tf.slice(
      tf.gather(pool.referenceLogProbs, tf.tensor1d(picked, 'int32')),
      [0, 0, 0],
      [b, T - 1, V],
    );
    const positions = tf.slice(tf.tensor2d(mask, [b, T]), [0, 1], [b, T - 1]);
    const klPerPosition = tf.sum(tf.mul(tf.exp(policyLogProbs), tf.sub(policyLogProbs, referenceLogProbs)), -1);
    return tf.div(tf.sum(tf.mul(klPerPosition, positions)), tf.maximum(tf.sum(positions), 1)) as tf.Scalar;
  }

  dispose(): void {
    this.pool?.referenceLogProbs.dispose();
    this.pool = undefined;
  }

  private loadOrSample(poolStep: number): TokenizedSequence[] {
    const path = join(this.a.dir, 'kl-samples', `step-${String(poolStep).padStart(6, '0')}.json`);
    if (existsSync(path))
      return readJsonFile<{ sequences: TokenizedSequence[] }>(
        path,
        'delete it: the pool is sampled again from the same seed',
      ).sequences;
    const { config, tokenizer, policy } = this.a;
    const rng = new Rng(`${this.a.seed}/kl-prompts/${poolStep}`);
    const promptIds = Array.from({ length: config.poolSize }, () =>
      encodePrompt(tokenizer, this.a.prompts[rng.int(this.a.prompts.length)]),
    );
    const room = policy.config.maxPositions - Math.max(...promptIds.map((p) => p.length)) - 1;
    if (room < 1)
      throw new Error(
        `kl: a prompt fills model.maxPositions (${policy.config.maxPositions}); no room to sample a response`,
      );
    const maxNewTokens = Math.min(config.maxNewTokens, room);
    const responses = generate(policy, promptIds, {
      maxNewTokens,
      temperature: config.temperature,
      topP: 1,
      stopToken: tokenizer.eosId,
      padToken: tokenizer.padId,
      seed: `${this.a.seed}/kl-samples/${poolStep}`,
      batchSize: 64,
    });
    // a response that stopped on its own ends with eos, as training sequences do
    const sequences = promptIds.map((p, i) => ({
      ids: [...p, ...responses[i], ...(responses[i].length < maxNewTokens ? [tokenizer.eosId] : [])],
      promptLength: p.length,
    }));
    writeJsonAtomic(path, { step: poolStep, sequences });
    return sequences;
  }
}
