// A GPT-2-style decoder: learned token and position embeddings, pre-LayerNorm blocks of multi-head
// causal self-attention and a GELU MLP, a final LayerNorm, and an output head tied to the token
// embedding. Parameter names follow Hugging Face's GPT-2 so checkpoints map one to one.
import {
  tf,
  linear,
  layerNorm,
  batchMatMul,
  batchMatMulTransposed,
  embeddingLookup,
  geluTanh,
  maskedSoftmax,
  fusedGpt2Block,
  GPT2_BLOCK_PARAMS,
} from '@spo/engine';
import type { Gpt2BlockParam, TensorMap } from '@spo/engine';
import type { Gpt2Config } from './config.js';
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
} from './causal-lm.js';
import type { CausalLM, ForwardOptions, ForwardOutput, KvCache, ParamDefiner } from './causal-lm.js';

/** A block's parameters by their name inside the block ("attn.c_attn.weight"). */
type BlockParams = (name: Gpt2BlockParam) => tf.Tensor;

export class Gpt2LM extends CausalLMBase implements CausalLM {
  constructor(
    override readonly config: Gpt2Config,
    params: Map<string, tf.Variable>,
  ) {
    super(config, params);
  }

  /** GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 * layers), seeded. */
  static init(config: Gpt2Config, seed: number | string): Gpt2LM {
    const params = new Map<string, tf.Variable>();
    Gpt2LM.define(config, initialisers(seed, params));
    return new Gpt2LM(config, params);
  }

  /** Every parameter: name, shape, initial distribution. */
  private static define(config: Gpt2Config, { normal, constant }: ParamDefiner): void {
    const { dModel: d, nLayers, vocabSize, maxPositions } = config;
    const residualStd = 0.02 / Math.sqrt(2 * nLayers);
    normal('wte.weight', [vocabSize, d], 0.02);
    normal('wpe.weight', [maxPositions, d], 0.01);
    for (let i = 0; i < nLayers; i++) {
      const p = `h.${i}.`;
      constant(`${p}ln_1.weight`, [d], 1);
      constant(`${p}ln_1.bias`, [d], 0);
      normal(`${p}attn.c_attn.weight`, [d, 3 * d], 0.02);
      constant(`${p}attn.c_attn.bias`, [3 * d], 0);
      normal(`${p}attn.c_proj.weight`, [d, d], residualStd);
      constant(`${p}attn.c_proj.bias`, [d], 0);
      constant(`${p}ln_2.weight`, [d], 1);
      constant(`${p}ln_2.bias`, [d], 0);
      normal(`${p}mlp.c_fc.weight`, [d, 4 * d], 0.02);
      constant(`${p}mlp.c_fc.bias`, [4 * d], 0);
      normal(`${p}mlp.c_proj.weight`, [4 * d, d], residualStd);
      constant(`${p}mlp.c_proj.bias`, [d], 0);
    }
    constant('ln_f.weight', [d], 1);
    constant('ln_f.bias', [d], 0);
  }

  /** From Hugging Face GPT-2 tensors (Conv1D weights are [in, out], as ours); a "transformer." prefix is optional. */
  static fromHfTensors(config: Gpt2Config, tensors: TensorMap, source: string, trainable = true): Gpt2LM {
    const shapes = new Map<string, number[]>();
    Gpt2LM.define(config, shapeRecorder(shapes));
    const params = paramsFromHf(shapes, source, trainable, (name, shape) => ({
      tensor: tensors[name] ?? tensors[`transformer.${name}`],
      hfShape: shape,
    }));
    return new Gpt2LM(config, params);
  }

  clone(trainable = true): Gpt2LM {
    return new Gpt2LM(this.config, this.mergedParams(trainable));
  }

  hfTensors(): TensorMap {
    return this.mergedHostTensors();
  }

  private layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return layerNorm(x, gain as tf.Tensor1D, bias as tf.Tensor1D, this.config.layerNormEps);
  }

  private attention(
    x: tf.Tensor,
    w: BlockParams,
    bias: tf.Tensor,
    cache?: KvCache[number],
  ): { out: tf.Tensor; k: tf.Tensor4D; v: tf.Tensor4D } {
    const [B, T, d] = x.shape;
    const H = this.config.nHeads;
    const dh = d / H;
    const qkvWeight = w('attn.c_attn.weight'),
      qkvBias = w('attn.c_attn.bias');
    // q, k and v: while decoding (one position) one product split three ways; on longer inputs three
    // products with slices of c_attn (small) instead, as splitting the [B, T, 3d] activation along its
    // last axis is a strided copy, slow on WASM
    const parts =
      T === 1
        ? tf.split(linear(x, qkvWeight as tf.Tensor2D, qkvBias as tf.Tensor1D), 3, 2)
        : [0, 1, 2].map((part) =>
            linear(
              x,
              tf.slice(qkvWeight, [0, part * d], [d, d]) as tf.Tensor2D,
              tf.slice(qkvBias, [part * d], [d]) as tf.Tensor1D,
            ),
          );
    const [q, kNew, vNew] = parts.map((t) => toHeads(t, B, T, H, dh));
    const k = cache ? (tf.concat([cache.k, kNew], 2) as tf.Tensor4D) : kNew;
    const v = cache ? (tf.concat([cache.v, vNew], 2) as tf.Tensor4D) : vNew;
    const context = batchMatMul(maskedSoftmax(batchMatMulTransposed(q, k), 1 / Math.sqrt(dh), bias), v);
    const out = linear(
      fromHeads(context, B, T, d),
      w('attn.c_proj.weight') as tf.Tensor2D,
      w('attn.c_proj.bias') as tf.Tensor1D,
    );
    return { out, k, v };
  }

  /**
   * One pre-LayerNorm block: x + attention(ln_1(x)), then + MLP(ln_2(·)); the keys and values too when
   * `returnKeys`. One fused op where the engine has it (fusedGpt2Block: the same numbers), else composed.
   */
  private block(
    x: tf.Tensor,
    w: BlockParams,
    bias: tf.Tensor,
    cache: KvCache[number] | undefined,
    returnKeys: boolean,
  ): { out: tf.Tensor; k?: tf.Tensor4D; v?: tf.Tensor4D } {
    const fused = fusedGpt2Block(x as tf.Tensor3D, w, bias, {
      heads: this.config.nHeads,
      layerNormEps: this.config.layerNormEps,
      cache,
      returnKeys,
    });
    if (fused) return fused;
    const attn = this.attention(this.layerNorm(x, w('ln_1.weight'), w('ln_1.bias')), w, bias, cache);
    const mid = tf.add(x, attn.out);
    const hidden = geluTanh(
      linear(
        this.layerNorm(mid, w('ln_2.weight'), w('ln_2.bias')),
        w('mlp.c_fc.weight') as tf.Tensor2D,
        w('mlp.c_fc.bias') as tf.Tensor1D,
      ),
    );
    const out = tf.add(mid, linear(hidden, w('mlp.c_proj.weight') as tf.Tensor2D, w('mlp.c_proj.bias') as tf.Tensor1D));
    return { out, k: attn.k, v: attn.v };
  }

  /** Block i, recomputed in the backward pass (gradient checkpointing). */
  private checkpointedBlock(x: tf.Tensor, i: number, bias: tf.Tensor): tf.Tensor {
    const params = GPT2_BLOCK_PARAMS.map((name) => this.p(`h.${i}.${name}`));
    return recomputedBlock(
      (input, [mask], values) =>
        this.block(input, (name) => values[GPT2_BLOCK_PARAMS.indexOf(name)], mask, undefined, false).out,
      x,
      [bias],
      params,
    );
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): ForwardOutput {
    const [B, T] = ids.shape;
    const past = this.pastLength(T, options);
    const positions = options.positions ?? defaultPositions(B, T, past);
    let x = tf.add(
      embeddingLookup(this.p('wte.weight') as tf.Tensor2D, ids),
      embeddingLookup(this.p('wpe.weight') as tf.Tensor2D, positions),
    );
    const bias = forwardBias(B, T, past, options);
    const newCache: KvCache = [];
    const keepCache = options.cache !== undefined && options.extendCache !== false;
    for (let i = 0; i < this.config.nLayers; i++) {
      if (this.gradientCheckpointing && options.cache === undefined) {
        x = this.checkpointedBlock(x, i, bias);
        continue;
      }
      // one tidy per block: its intermediates (attention scores, MLP activations) are freed as soon as
      // the block is done, except those the gradient tape keeps, instead of living to the end of the pass
      const block = tf.tidy(() => {
        const { out, k, v } = this.block(x, (name) => this.p(`h.${i}.${name}`), bias, options.cache?.[i], keepCache);
        return keepCache ? { out, k: k!, v: v! } : { out };
      }) as { out: tf.Tensor; k?: tf.Tensor4D; v?: tf.Tensor4D };
      x = block.out;
      if (keepCache) newCache.push({ k: block.k!, v: block.v! });
    }
    const hidden = this.layerNorm(x, this.p('ln_f.weight'), this.p('ln_f.bias')) as tf.Tensor3D;
    const logits = this.outputLogits(hidden, this.p('wte.weight'), options.logitsFrom);
    return { logits, hidden, cache: keepCache ? newCache : undefined };
  }
}
