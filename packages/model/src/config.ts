// Model configs. Two architectures behind one interface: a GPT-2-style decoder (learned positions,
// LayerNorm, GELU MLP), the shape the experiments train from scratch, and the Llama family (RMSNorm,
// rotary positions, SwiGLU, grouped-query attention), the shape of most pretrained checkpoints. On
// disk both use Hugging Face's config.json names (hf-config.ts), so a checkpoint folder reads like a
// Hugging Face model folder.
import { z } from 'zod';

/** The model's shape as an experiment config gives it; the vocabulary size comes from the tokenizer. */
export const ModelShapeSchema = z
  .object({
    maxPositions: z.number().int().positive().default(64),
    dModel: z.number().int().positive().default(64),
    nLayers: z.number().int().positive().default(2),
    nHeads: z.number().int().positive().default(4),
    layerNormEps: z.number().positive().default(1e-5),
  })
  .strict()
  .refine((c) => c.dModel % c.nHeads === 0, {
    message: 'dModel must be divisible by nHeads: change one of them',
    path: ['nHeads'],
  });

export const Gpt2ConfigSchema = z
  .object({
    architecture: z.literal('gpt2').optional(),
    vocabSize: z.number().int().positive(),
    maxPositions: z.number().int().positive(),
    dModel: z.number().int().positive(),
    nLayers: z.number().int().positive(),
    nHeads: z.number().int().positive(),
    layerNormEps: z.number().positive(),
  })
  .refine((c) => c.dModel % c.nHeads === 0, {
    message: 'dModel must be divisible by nHeads: change one of them',
    path: ['nHeads'],
  });

export const LlamaConfigSchema = z
  .object({
    architecture: z.literal('llama'),
    vocabSize: z.number().int().positive(),
    maxPositions: z.number().int().positive(),
    dModel: z.number().int().positive(),
    nLayers: z.number().int().positive(),
    nHeads: z.number().int().positive(),
    /** Key/value heads; fewer than nHeads is grouped-query attention (nHeads / nKvHeads query heads share one). */
    nKvHeads: z.number().int().positive(),
    /** Width of the SwiGLU feed-forward. */
    intermediateSize: z.number().int().positive(),
    rmsNormEps: z.number().positive(),
    ropeTheta: z.number().positive(),
    /** The output head is the token embedding (true) or its own lm_head.weight. */
    tieWordEmbeddings: z.boolean(),
    /** Biases on the q, k and v projections (Qwen2); Llama and Mistral have none. */
    attentionBias: z.boolean(),
  })
  .refine((c) => c.dModel % c.nHeads === 0, { message: 'dModel must be divisible by nHeads', path: ['nHeads'] })
  .refine((c) => c.nHeads % c.nKvHeads === 0, { message: 'nHeads must be a multiple of nKvHeads', path: ['nKvHeads'] })
  .refine((c) => (c.dModel / c.nHeads) % 2 === 0, {
    message: 'the head size dModel / nHeads must be even for rotary embeddings',
    path: ['nHeads'],
  });

export type ModelShape = z.infer<typeof ModelShapeSchema>;
export type Gpt2Config = z.infer<typeof Gpt2ConfigSchema>;
export type LlamaConfig = z.infer<typeof LlamaConfigSchema>;
export type ModelConfig = Gpt2Config | LlamaConfig;

export function isLlama(c: ModelConfig): c is LlamaConfig {
  return c.architecture === 'llama';
}

/** A one-line description of a config for logs. */
export function describeConfig(c: ModelConfig): string {
  if (!isLlama(c)) return `GPT-2 (${c.nLayers} layers, d=${c.dModel}, ${c.nHeads} heads)`;
  return (
    `Llama (${c.nLayers} layers, d=${c.dModel}, ` +
    `${c.nHeads} heads / ${c.nKvHeads} key-value heads, feed-forward ${c.intermediateSize})`
  );
}
