// A reward model: the causal LM's final hidden state at each sequence's last real token, through a
// linear score head to one scalar, as Hugging Face's GPT2ForSequenceClassification and
// LlamaForSequenceClassification (num_labels 1) do.
// On disk it is a checkpoint folder whose model.safetensors also holds `score.weight` [1, d] and whose
// config.json names that architecture, so the same folder opens in Hugging Face.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf, Rng, readSafetensors, writeChecksums, writeDirAtomic } from '@spo/engine';
import type { CausalLM } from './causal-lm.js';
import { loadCheckpoint, type TokenizerFiles } from './checkpoint.js';
import { isLlama } from './config.js';
import { toHfConfig } from './hf-config.js';
import { writeModelFiles } from './model-files.js';

export const SCORE_WEIGHT = 'score.weight';

export class RewardModel {
  constructor(
    readonly lm: CausalLM,
    readonly scoreWeight: tf.Variable,
  ) {}

  /** A fresh score head (N(0, 0.02), as GPT-2 initialises) on top of a language model, usually the SFT one. */
  static fromLanguageModel(lm: CausalLM, seed: number | string): RewardModel {
    const rng = new Rng(`${seed}/reward-head`);
    const w = Float32Array.from({ length: lm.config.dModel }, () => rng.normal() * 0.02);
    return new RewardModel(lm, tf.variable(tf.tensor2d(w, [1, lm.config.dModel]), true));
  }

  /**
   * What training updates, by name: the language model's parameters (its LoRA adapters when attached)
   * and the score head.
   */
  variables(): Map<string, tf.Variable> {
    return new Map([...(this.lm.lora ? this.lm.lora.variables() : this.lm.params), [SCORE_WEIGHT, this.scoreWeight]]);
  }

  /** One reward per row of right-padded `ids` [B, T]; `lengths` [B] counts each row's real tokens. */
  rewards(ids: tf.Tensor2D, lengths: readonly number[]): tf.Tensor1D {
    const [B, T] = ids.shape;
    const last = new Float32Array(B * T);
    lengths.forEach((n, b) => (last[b * T + n - 1] = 1));
    const hidden = this.lm.forward(ids).hidden;
    const atLast = tf.sum(tf.mul(hidden, tf.tensor3d(last, [B, T, 1])), 1) as tf.Tensor2D;
    return tf.reshape(tf.matMul(atLast, this.scoreWeight, false, true), [B]) as tf.Tensor1D;
  }

  /** Rewards of token sequences (each a prompt and response, unpadded), `batchSize` at a time, without gradients. */
  score(sequences: readonly (readonly number[])[], padId: number, batchSize = 64): Float32Array {
    const out = new Float32Array(sequences.length);
    for (let start = 0; start < sequences.length; start += batchSize) {
      const chunk = sequences.slice(start, start + batchSize);
      const width = Math.max(...chunk.map((s) => s.length));
      const ids = new Int32Array(chunk.length * width).fill(padId);
      chunk.forEach((s, b) => ids.set(s, b * width));
      out.set(
        tf.tidy(() =>
          this.rewards(
            tf.tensor2d(ids, [chunk.length, width], 'int32'),
            chunk.map((s) => s.length),
          ).dataSync(),
        ),
        start,
      );
    }
    return out;
  }

  dispose(): void {
    this.lm.dispose();
    this.scoreWeight.dispose();
  }
}

export function saveRewardModel(dir: string, rm: RewardModel, tokenizer: TokenizerFiles): void {
  writeDirAtomic(dir, (tmp) => {
    writeRewardModelFiles(tmp, rm, tokenizer);
    writeChecksums(tmp);
  });
}

/** Write the reward model's files into an existing folder (not atomic: see saveRewardModel). */
export function writeRewardModelFiles(dir: string, rm: RewardModel, tokenizer: TokenizerFiles): void {
  const tensors = rm.lm.hfTensors();
  tensors[SCORE_WEIGHT] = {
    dtype: 'float32',
    shape: rm.scoreWeight.shape,
    data: rm.scoreWeight.dataSync() as Float32Array,
  };
  const config = {
    ...toHfConfig(rm.lm.config),
    architectures: [isLlama(rm.lm.config) ? 'LlamaForSequenceClassification' : 'GPT2ForSequenceClassification'],
    num_labels: 1,
    id2label: { 0: 'reward' },
    label2id: { reward: 0 },
  };
  writeModelFiles(dir, tensors, config, tokenizer);
}

export function loadRewardModel(dir: string, trainable = false): { model: RewardModel; tokenizer: unknown } {
  const { model: lm, tokenizer } = loadCheckpoint(dir, trainable);
  const path = join(dir, 'model.safetensors');
  const score = existsSync(path) ? readSafetensors(path).tensors[SCORE_WEIGHT] : undefined;
  if (!score) {
    lm.dispose();
    throw new Error(
      `${path} has no ${SCORE_WEIGHT}: ${dir} is a language model, ` +
        `not a reward model (train one with \`spo train --stage rm\`)`,
    );
  }
  if (score.shape.join(',') !== `1,${lm.config.dModel}`)
    throw new Error(`${path}: ${SCORE_WEIGHT} has shape [${score.shape}], expected [1, ${lm.config.dModel}]`);
  return {
    model: new RewardModel(lm, tf.variable(tf.tensor2d(score.data as Float32Array, [1, lm.config.dModel]), trainable)),
    tokenizer,
  };
}
