// The Llama family's decoder (Touvron et al. 2023; Hugging Face's LlamaForCausalLM): token embedding,
// pre-RMSNorm blocks of causal self-attention with rotary position embeddings (Su et al. 2021) and
// grouped-query attention (Ainslie et al. 2023), a SwiGLU feed-forward down(silu(gate x) · up x)
// (Shazeer 2020), a final RMSNorm and an output head, tied to the embedding or its own. Qwen2's q, k, v
// biases are an option. Parameters carry Hugging Face's names; projection weights are held [in, out]
// (our matmul's layout) and transposed to Hugging Face's [out, in] by hfTensors / fromHfTensors.
import {
  tf,
  linear,
  rmsNorm,
  swiglu,
  maskedSoftmax,
  matMul2d,
  batchMatMul,
  batchMatMulTransposed,
  embeddingLookup,
} from '@spo/engine';
import type { TensorMap } from '@spo/engine';
import type { LlamaConfig } from './config.js';
import {
  CausalLMBase,
  forwardBias,
  defaultPositions,
  fromHeads,
  toHeads,
  initialisers,
  paramsFromHf,
  recomputedBlock,
  shapeRecorder,
  transposeData,
} from './causal-lm.js';
import type { CausalLM, ForwardOptions, ForwardOutput, KvCache, ParamDefiner } from './causal-lm.js';

const PROJECTIONS = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.o_proj',
  'mlp.gate_proj',
  'mlp.up_proj',
  'mlp.down_proj',
] as const;

/** Names of block i's parameters inside the block, for a config. */
function blockParamNames(c: LlamaConfig): string[] {
  const names = ['input_layernorm.weight', 'post_attention_layernorm.weight', ...PROJECTIONS.map((p) => `${p}.weight`)];
  if (c.attentionBias) names.push('self_attn.q_proj.bias', 'self_attn.k_proj.bias', 'self_attn.v_proj.bias');
  return names;
}

/** Is this parameter a projection held [in, out] here and [out, in] by Hugging Face? */
function isProjectionWeight(name: string): boolean {
  return /_proj\.weight$/.test(name);
}

/**
 * Rotary tables [maxPositions, headDim] in Hugging Face's rotate-half layout: column j uses frequency j mod headDim/2.
 */
function rotaryTables(c: LlamaConfig): { cos: tf.Tensor2D; sin: tf.Tensor2D; rotateHalf: tf.Tensor2D } {
  const dh = c.dModel / c.nHeads,
    half = dh / 2;
  const cos = new Float32Array(c.maxPositions * dh),
    sin = new Float32Array(c.maxPositions * dh);
  for (let pos = 0; pos < c.maxPositions; pos++) {
    for (let j = 0; j < dh; j++) {
      const angle = pos * c.ropeTheta ** (-(2 * (j % half)) / dh);
      cos[pos * dh + j] = Math.cos(angle);
      sin[pos * dh + j] = Math.sin(angle);
    }
  }
  // rotate_half(x) = [−x₂, x₁] as a product x @ R: one small matmul instead of two slices and a concat
  const r = new Float32Array(dh * dh);
  for (let j = 0; j < half; j++) {
    r[(j + half) * dh + j] = -1;
    r[j * dh + j + half] = 1;
  }
  return {
    cos: tf.tensor2d(cos, [c.maxPositions, dh]),
    sin: tf.tensor2d(sin, [c.maxPositions, dh]),
    rotateHalf: tf.tensor2d(r, [dh, dh]),
  };
}

export class LlamaLM extends CausalLMBase implements CausalLM {
  private readonly rotary: ReturnType<typeof rotaryTables>;

  constructor(
    override readonly config: LlamaConfig,
    params: Map<string, tf.Variable>,
  ) {
    super(config, params);
    this.rotary = tf.tidy(() => rotaryTables(config));
    tf.keep(this.rotary.cos);
    tf.keep(this.rotary.sin);
    tf.keep(this.rotary.rotateHalf);
  }

  /** N(0, 0.02) weights, residual projections scaled by 1/sqrt(2 · layers), unit norms, zero biases; seeded. */
  static init(config: LlamaConfig, seed: number | string): LlamaLM {
    const params = new Map<string, tf.Variable>();
    LlamaLM.define(config, initialisers(seed, params));
    return new LlamaLM(config, params);
  }

  /** Every parameter: name, shape, initial distribution. */
  private static define(config: LlamaConfig, { normal, constant }: ParamDefiner): void {
    const { dModel: d, nLayers, vocabSize, intermediateSize: f } = config;
    const dh = d / config.nHeads,
      kv = config.nKvHeads * dh;
    const residualStd = 0.02 / Math.sqrt(2 * nLayers);
    normal('model.embed_tokens.weight', [vocabSize, d], 0.02);
    for (let i = 0; i < nLayers; i++) {
      const p = `model.layers.${i}.`;
      constant(`${p}input_layernorm.weight`, [d], 1);
      normal(`${p}self_attn.q_proj.weight`, [d, d], 0.02);
      normal(`${p}self_attn.k_proj.weight`, [d, kv], 0.02);
      normal(`${p}self_attn.v_proj.weight`, [d, kv], 0.02);
      if (config.attentionBias) {
        constant(`${p}self_attn.q_proj.bias`, [d], 0);
        constant(`${p}self_attn.k_proj.bias`, [kv], 0);
        constant(`${p}self_attn.v_proj.bias`, [kv], 0);
      }
      normal(`${p}self_attn.o_proj.weight`, [d, d], residualStd);
      constant(`${p}post_attention_layernorm.weight`, [d], 1);
      normal(`${p}mlp.gate_proj.weight`, [d, f], 0.02);
      normal(`${p}mlp.up_proj.weight`, [d, f], 0.02);
      normal(`${p}mlp.down_proj.weight`, [f, d], residualStd);
    }
    constant('model.norm.weight', [d], 1);
    if (!config.tieWordEmbeddings) normal('lm_head.weight', [vocabSize, d], 0.02);
  }

  /** From Hugging Face tensors ([out, in] projections), checking every name and shape against the config. */
  static fromHfTensors(config: LlamaConfig, tensors: TensorMap, source: string, trainable = true): LlamaLM {
    const shapes = new Map<string, number[]>();
    LlamaLM.define(config, shapeRecorder(shapes));
    const params = paramsFromHf(shapes, source, trainable, (name, shape) =>
      isProjectionWeight(name)
        ? {
            tensor: tensors[name],
            hfShape: [shape[1], shape[0]],
            toOurs: (t) => transposeData(t.data, t.shape[0], t.shape[1]),
          }
        : { tensor: tensors[name], hfShape: shape },
    );
    return new LlamaLM(config, params);
  }

  hfTensors(): TensorMap {
    const out = this.mergedHostTensors();
    for (const [name, t] of Object.entries(out)) {
      if (!isProjectionWeight(name)) continue;
      const [rows, cols] = t.shape;
      out[name] = { dtype: 'float32', shape: [cols, rows], data: transposeData(t.data, rows, cols) };
    }
    return out;
  }

  clone(trainable = true): LlamaLM {
    return new LlamaLM(this.config, this.mergedParams(trainable));
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([this.rotary.cos, this.rotary.sin, this.rotary.rotateHalf]);
  }

  /** x [B, T, heads, dh] rotated by its positions' angles: x·cos + rotate_half(x)·sin. */
  private rotate(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
    const dh = x.shape[3]!;
    const rotated = tf.reshape(matMul2d(tf.reshape(x, [-1, dh]) as tf.Tensor2D, this.rotary.rotateHalf), x.shape);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
  }

  /** One pre-RMSNorm block: x + attention(norm(x)), then + SwiGLU(norm(·)). */
  private block(
    x: tf.Tensor,
    w: (name: string) => tf.Tensor,
    bias: tf.Tensor,
    cos: tf.Tensor,
    sin: tf.Tensor,
    cache?: KvCache[number],
  ): { out: tf.Tensor; k: tf.Tensor4D; v: tf.Tensor4D } {
    const [B, T, d] = x.shape;
    const { nHeads: H, nKvHeads: Hkv, rmsNormEps: eps, attentionBias: hasBias } = this.config;
    const dh = d / H;
    const h = rmsNorm(x, w('input_layernorm.weight') as tf.Tensor1D, eps);
    const project = (name: 'q' | 'k' | 'v', heads: number) =>
      tf.reshape(
        linear(
          h,
          w(`self_attn.${name}_proj.weight`) as tf.Tensor2D,
          hasBias ? (w(`self_attn.${name}_proj.bias`) as tf.Tensor1D) : undefined,
        ),
        [B, T, heads, dh],
      );
    const q = toHeads(this.rotate(project('q', H), cos, sin), B, T, H, dh);
    const kNew = toHeads(this.rotate(project('k', Hkv), cos, sin), B, T, Hkv, dh);
    const vNew = toHeads(project('v', Hkv), B, T, Hkv, dh);
    const k = cache ? (tf.concat([cache.k, kNew], 2) as tf.Tensor4D) : kNew;
    const v = cache ? (tf.concat([cache.v, vNew], 2) as tf.Tensor4D) : vNew;
    // grouped-query attention without copying keys and values per query head: the g query heads that
    // share a key/value head become g·T rows of one product against it
    const g = H / Hkv,
      S = k.shape[2];
    const grouped = tf.reshape(q, [B, Hkv, g * T, dh]);
    const scores = tf.reshape(batchMatMulTransposed(grouped, k), [B, Hkv, g, T, S]);
    const mask = tf.reshape(bias, [bias.shape[0], 1, 1, T, S]);
    const weights = tf.reshape(maskedSoftmax(scores, 1 / Math.sqrt(dh), mask), [B, Hkv, g * T, S]);
    const context = tf.reshape(batchMatMul(weights, v), [B, H, T, dh]);
    const mid = tf.add(x, linear(fromHeads(context, B, T, d), w('self_attn.o_proj.weight') as tf.Tensor2D));
    const h2 = rmsNorm(mid, w('post_attention_layernorm.weight') as tf.Tensor1D, eps);
    const gated = swiglu(
      linear(h2, w('mlp.gate_proj.weight') as tf.Tensor2D),
      linear(h2, w('mlp.up_proj.weight') as tf.Tensor2D),
    );
    const out = tf.add(mid, linear(gated, w('mlp.down_proj.weight') as tf.Tensor2D));
    return { out, k, v };
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): ForwardOutput {
    const [B, T] = ids.shape;
    const past = this.pastLength(T, options);
    const dh = this.config.dModel / this.config.nHeads;
    const positions = tf.reshape(options.positions ?? defaultPositions(B, T, past), [-1, 1]);
    const cos = tf.reshape(tf.gatherND(this.rotary.cos, positions), [B, T, 1, dh]);
    const sin = tf.reshape(tf.gatherND(this.rotary.sin, positions), [B, T, 1, dh]);
    let x = embeddingLookup(this.p('model.embed_tokens.weight') as tf.Tensor2D, ids);
    const bias = forwardBias(B, T, past, options);
    const names = blockParamNames(this.config);
    const newCache: KvCache = [];
    const keepCache = options.cache !== undefined && options.extendCache !== false;
    for (let i = 0; i < this.config.nLayers; i++) {
      const prefix = `model.layers.${i}.`;
      if (this.gradientCheckpointing && options.cache === undefined) {
        const values = names.map((n) => this.p(prefix + n));
        x = recomputedBlock(
          (input, [b, c, s], vs) => this.block(input, (n) => vs[names.indexOf(n)], b, c, s).out,
          x,
          [bias, cos, sin],
          values,
        );
        continue;
      }
      const block = tf.tidy(() => {
        const { out, k, v } = this.block(x, (n) => this.p(prefix + n), bias, cos, sin, options.cache?.[i]);
        return keepCache ? { out, k, v } : { out };
      }) as { out: tf.Tensor; k?: tf.Tensor4D; v?: tf.Tensor4D };
      x = block.out;
      if (keepCache) newCache.push({ k: block.k!, v: block.v! });
    }
    const hidden = rmsNorm(x, this.p('model.norm.weight') as tf.Tensor1D, this.config.rmsNormEps) as tf.Tensor3D;
    const logits = this.outputLogits(
      hidden,
      this.p(this.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'),
      options.logitsFrom,
    );
    return { logits, hidden, cache: keepCache ? newCache : undefined };
  }
}
