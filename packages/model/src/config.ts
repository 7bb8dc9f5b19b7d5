// A GPT-2-style causal LM config. On disk it uses Hugging Face's GPT-2 config.json names, so a
// checkpoint folder reads like a Hugging Face model folder.
import { z } from 'zod';

/** The model's shape as an experiment config gives it; the vocabulary size comes from the tokenizer. */
export const ModelShapeSchema = z.object({
  maxPositions: z.number().int().positive().default(64),
  dModel: z.number().int().positive().default(64),
  nLayers: z.number().int().positive().default(2),
  nHeads: z.number().int().positive().default(4),
  layerNormEps: z.number().positive().default(1e-5),
}).strict().refine((c) => c.dModel % c.nHeads === 0, { message: 'dModel must be divisible by nHeads: change one of them', path: ['nHeads'] });

export const ModelConfigSchema = z.object({
  vocabSize: z.number().int().positive(),
  maxPositions: z.number().int().positive(),
  dModel: z.number().int().positive(),
  nLayers: z.number().int().positive(),
  nHeads: z.number().int().positive(),
  layerNormEps: z.number().positive(),
}).refine((c) => c.dModel % c.nHeads === 0, { message: 'dModel must be divisible by nHeads: change one of them', path: ['nHeads'] });

export type ModelShape = z.infer<typeof ModelShapeSchema>;
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** Hugging Face GPT-2 config.json fields for this config. */
export function toHfConfig(c: ModelConfig): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: c.vocabSize,
    n_positions: c.maxPositions,
    n_embd: c.dModel,
    n_layer: c.nLayers,
    n_head: c.nHeads,
    layer_norm_epsilon: c.layerNormEps,
    activation_function: 'gelu_new',
    tie_word_embeddings: true,
  };
}

export function fromHfConfig(raw: Record<string, any>, source = 'config.json'): ModelConfig {
  if (raw.model_type !== 'gpt2') throw new Error(`${source}: model_type "${raw.model_type}" is not supported; only gpt2-style models load`);
  const parsed = ModelConfigSchema.safeParse({
    vocabSize: raw.vocab_size,
    maxPositions: raw.n_positions,
    dModel: raw.n_embd,
    nLayers: raw.n_layer,
    nHeads: raw.n_head,
    layerNormEps: raw.layer_norm_epsilon,
  });
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
