// Hugging Face config.json <-> ModelConfig. Reads model_type gpt2, llama, mistral and qwen2 (the latter
// two are Llama-shaped: Mistral adds a sliding window, Qwen2 biases on q, k and v) and refuses, naming
// the field, any setting our forward pass would compute differently.
import { Gpt2ConfigSchema, LlamaConfigSchema, isLlama, type ModelConfig } from './config.js';

export const LLAMA_FAMILY = ['llama', 'mistral', 'qwen2'] as const;

export function toHfConfig(c: ModelConfig): Record<string, unknown> {
  if (!isLlama(c)) {
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
  return {
    model_type: c.attentionBias ? 'qwen2' : 'llama',
    architectures: [c.attentionBias ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxPositions,
    hidden_size: c.dModel,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: c.tieWordEmbeddings,
    ...(c.attentionBias ? {} : { attention_bias: false, mlp_bias: false }),
    torch_dtype: 'float32',
  };
}

function refuse(source: string, field: string, value: unknown, why: string): never {
  throw new Error(`${source}: ${field} = ${JSON.stringify(value)} is not supported (${why})`);
}

function parsed<T>(
  result:
    { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
  source: string,
): T {
  if (!result.success)
    throw new Error(`${source}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}

export function fromHfConfig(raw: Record<string, any>, source = 'config.json'): ModelConfig {
  const type = raw.model_type;
  if (type === 'gpt2') {
    if (raw.activation_function !== undefined && raw.activation_function !== 'gelu_new')
      refuse(source, 'activation_function', raw.activation_function, "only gelu_new, GPT-2's own");
    if (raw.n_inner !== undefined && raw.n_inner !== null && raw.n_inner !== 4 * raw.n_embd)
      refuse(source, 'n_inner', raw.n_inner, 'the MLP is 4 x n_embd wide');
    if (raw.tie_word_embeddings === false)
      refuse(source, 'tie_word_embeddings', false, "GPT-2's output head is its token embedding");
    if (raw.scale_attn_by_inverse_layer_idx)
      refuse(source, 'scale_attn_by_inverse_layer_idx', true, 'attention is scaled by 1/sqrt(head size) only');
    return parsed(
      Gpt2ConfigSchema.safeParse({
        vocabSize: raw.vocab_size,
        maxPositions: raw.n_positions ?? raw.n_ctx,
        dModel: raw.n_embd,
        nLayers: raw.n_layer,
        nHeads: raw.n_head,
        layerNormEps: raw.layer_norm_epsilon ?? 1e-5,
      }),
      source,
    );
  }
  if (!(LLAMA_FAMILY as readonly string[]).includes(type)) {
    throw new Error(`${source}: model_type "${type}" is not supported; supported: gpt2, ${LLAMA_FAMILY.join(', ')}`);
  }
  if (raw.rope_scaling !== undefined && raw.rope_scaling !== null)
    refuse(source, 'rope_scaling', raw.rope_scaling, 'rotary embeddings are unscaled');
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') refuse(source, 'hidden_act', act, 'the feed-forward is SwiGLU with SiLU');
  if (raw.mlp_bias) refuse(source, 'mlp_bias', true, 'the feed-forward has no biases');
  if (type === 'llama' && raw.attention_bias) refuse(source, 'attention_bias', true, 'Llama attention has no biases');
  if (
    raw.head_dim !== undefined &&
    raw.head_dim !== null &&
    raw.head_dim !== raw.hidden_size / raw.num_attention_heads
  ) {
    refuse(source, 'head_dim', raw.head_dim, 'the head size is hidden_size / num_attention_heads');
  }
  if (type === 'qwen2' && raw.use_sliding_window)
    refuse(source, 'use_sliding_window', true, 'attention is over the whole context');
  const maxPositions = raw.max_position_embeddings;
  if (
    type === 'mistral' &&
    raw.sliding_window !== undefined &&
    raw.sliding_window !== null &&
    raw.sliding_window < maxPositions
  ) {
    refuse(
      source,
      'sliding_window',
      raw.sliding_window,
      `attention is over the whole context; set it to null or at least max_position_embeddings (${maxPositions})`,
    );
  }
  return parsed(
    LlamaConfigSchema.safeParse({
      architecture: 'llama',
      vocabSize: raw.vocab_size,
      maxPositions,
      dModel: raw.hidden_size,
      nLayers: raw.num_hidden_layers,
      nHeads: raw.num_attention_heads,
      nKvHeads: raw.num_key_value_heads ?? raw.num_attention_heads,
      intermediateSize: raw.intermediate_size,
      rmsNormEps: raw.rms_norm_eps ?? 1e-6,
      ropeTheta: raw.rope_theta ?? 10000,
      tieWordEmbeddings: raw.tie_word_embeddings ?? false,
      attentionBias: type === 'qwen2' ? true : false,
    }),
    source,
  );
}
