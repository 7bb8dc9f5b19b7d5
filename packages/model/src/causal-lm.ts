// What the trainer, evaluators, sampler and server need from a causal language model, whichever
// architecture it is (gpt2.ts, llama.ts), and the pieces both architectures share: the attention bias,
// parameter initialisation, block recomputation for gradient checkpointing, and the Hugging Face
// tensor layout on disk.
import { tf, Rng, matMulTransposedRight } from '@spo/engine';
import type { NamedArray, TensorMap } from '@spo/engine';
import { isLlama, type ModelConfig } from './config.js';
import { DEFAULT_LORA_TARGETS, LoraAdapters, type LoraConfig } from './lora.js';

/** Keys and values of earlier positions, one entry per layer, each [batch, kvHeads, past, headDim]. */
export type KvCache = { k: tf.Tensor4D; v: tf.Tensor4D }[];

export interface ForwardOptions {
  /** Position index of each token [B, T]; default 0..T-1 (offset by the cache length). */
  positions?: tf.Tensor2D;
  /** 1 for real keys, 0 for padding, over all keys seen so far [B, past + T]; default all real. */
  keyMask?: tf.Tensor2D;
  /**
   * The whole additive attention mask [B, 1, T, past + T] (0 where a query may attend to a key, NEG_INF
   * where not), in place of the causal one and keyMask: for layouts where causality alone is not the
   * rule, such as several responses packed in one row.
   */
  attentionMask?: tf.Tensor4D;
  /** Earlier keys and values; when given, the output carries the extended cache (unless extendCache is false). */
  cache?: KvCache;
  /**
   * With a cache: false when the caller needs this pass's logits and hidden states only, not the extended
   * cache (a fused block then neither returns its keys and values nor records a gradient for them).
   */
  extendCache?: boolean;
  /**
   * Compute logits only for positions logitsFrom..T-1 (hidden states stay complete). Log-probs of
   * responses need none before the first response token's predecessor, and the output projection and
   * the softmax over the vocabulary are the step's widest tensors.
   */
  logitsFrom?: number;
}

export interface ForwardOutput {
  /** [B, T - logitsFrom, V] */
  logits: tf.Tensor3D;
  /** Final hidden states after the last norm [B, T, d]. */
  hidden: tf.Tensor3D;
  cache?: KvCache;
}

export interface CausalLM {
  readonly config: ModelConfig;
  /** Every parameter by its Hugging Face name (without a "transformer." or similar prefix where the format has one). */
  readonly params: Map<string, tf.Variable>;
  /** Recompute each block in the backward pass instead of keeping its activations (training memory). */
  gradientCheckpointing: boolean;
  /** LoRA adapters, when attached (attachLora): then only they train. */
  readonly lora?: LoraAdapters;
  forward(ids: tf.Tensor2D, options?: ForwardOptions): ForwardOutput;
  /** A model whose parameters are copies of this one's (e.g. the frozen reference). */
  clone(trainable?: boolean): CausalLM;
  /** What an optimiser updates, by name: the LoRA adapters when attached, else every trainable parameter. */
  trainableParams(): Map<string, tf.Variable>;
  trainableVariables(): tf.Variable[];
  /** Parameters of the model (adapters not counted). */
  parameterCount(): number;
  /** Freeze the parameters and attach LoRA adapters to the config's targets (default: the attention projections). */
  attachLora(config: LoraConfig, seed: number | string): LoraAdapters;
  /** Parameter values in Hugging Face's layout for this architecture (what model.safetensors holds), LoRA merged. */
  hfTensors(): TensorMap;
  dispose(): void;
}

/** What both architectures share: parameter lookup through LoRA, trainable sets, counting, disposal. */
export abstract class CausalLMBase {
  gradientCheckpointing = false;
  lora?: LoraAdapters;

  constructor(
    readonly config: ModelConfig,
    readonly params: Map<string, tf.Variable>,
  ) {}

  /** The weight the forward pass uses (LoRA's sum when adapted). */
  protected p(name: string): tf.Tensor {
    const v = this.params.get(name);
    if (!v) throw new Error(`model has no parameter ${name}`);
    return this.lora ? this.lora.effective(name, v) : v;
  }

  /** Keys already in the cache, after checking the sequence fits the context. */
  protected pastLength(T: number, options: ForwardOptions): number {
    const past = options.cache?.length ? options.cache[0].k.shape[2] : 0;
    if (past + T > this.config.maxPositions) {
      throw new Error(`sequence of ${past + T} tokens exceeds the model's maxPositions ${this.config.maxPositions}`);
    }
    return past;
  }

  /**
   * Logits [B, T - logitsFrom, V] of the final hidden states from position logitsFrom on, through the output
   * head [V, d].
   */
  protected outputLogits(hidden: tf.Tensor3D, head: tf.Tensor, logitsFrom = 0): tf.Tensor3D {
    const [B, T, d] = hidden.shape;
    if (!Number.isInteger(logitsFrom) || logitsFrom < 0 || logitsFrom >= T)
      throw new Error(`logitsFrom ${logitsFrom} must be an integer in [0, ${T - 1}]`);
    const projected = logitsFrom === 0 ? hidden : tf.slice(hidden, [0, logitsFrom, 0], [B, T - logitsFrom, d]);
    return tf.reshape(
      matMulTransposedRight(tf.reshape(projected, [B * (T - logitsFrom), d]) as tf.Tensor2D, head as tf.Tensor2D),
      [B, T - logitsFrom, this.config.vocabSize],
    ) as tf.Tensor3D;
  }

  attachLora(config: LoraConfig, seed: number | string): LoraAdapters {
    if (this.lora) throw new Error('LoRA adapters are already attached');
    const targets = config.targets ?? DEFAULT_LORA_TARGETS[isLlama(this.config) ? 'llama' : 'gpt2'];
    this.lora = new LoraAdapters(this.params, config, targets, seed);
    return this.lora;
  }

  trainableParams(): Map<string, tf.Variable> {
    if (this.lora) return this.lora.variables();
    return new Map([...this.params].filter(([, v]) => v.trainable));
  }

  trainableVariables(): tf.Variable[] {
    return [...this.trainableParams().values()];
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Each parameter's value as the forward pass sees it, LoRA merged, on the host. */
  protected mergedHostTensors(): TensorMap {
    const out: TensorMap = {};
    for (const [name, v] of this.params) {
      const value = this.lora ? tf.tidy(() => this.lora!.effective(name, v)) : v;
      out[name] = { dtype: 'float32', shape: v.shape, data: value.dataSync() as Float32Array };
      if (value !== v) value.dispose();
    }
    return out;
  }

  /** Copies of the parameters (LoRA merged) as new variables. */
  protected mergedParams(trainable: boolean): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, v] of this.params)
      out.set(name, tf.variable(this.lora ? tf.tidy(() => this.lora!.effective(name, v)) : v.clone(), trainable));
    return out;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.lora?.dispose();
  }
}

export const NEG_INF = -1e9;

/**
 * The forward pass's additive attention bias [B or 1, 1, T, past + T]: options.attentionMask where given
 * (checked: its shape, and no keyMask beside it), else −inf above the causal diagonal and on padded keys.
 */
export function forwardBias(B: number, T: number, past: number, options: ForwardOptions): tf.Tensor {
  const mask = options.attentionMask;
  if (!mask) return attentionBias(T, past, options.keyMask);
  if (options.keyMask)
    throw new Error('forward: pass attentionMask or keyMask, not both (attentionMask is the whole mask)');
  const [b, one, t, k] = mask.shape;
  if ((b !== B && b !== 1) || one !== 1 || t !== T || k !== past + T)
    throw new Error(`forward: attentionMask is [${mask.shape}]; it must be [${B} or 1, 1, ${T}, ${past + T}]`);
  return mask;
}

/** Additive attention bias [B or 1, 1, T, past + T]: −inf above the causal diagonal and on padded keys. */
function attentionBias(T: number, past: number, keyMask?: tf.Tensor2D): tf.Tensor {
  const total = past + T;
  const causal = new Float32Array(T * total);
  for (let q = 0; q < T; q++) for (let k = past + q + 1; k < total; k++) causal[q * total + k] = NEG_INF;
  let bias: tf.Tensor = tf.tensor4d(causal, [1, 1, T, total]);
  if (keyMask) {
    const padding = tf.mul(tf.sub(1, tf.cast(keyMask, 'float32')), NEG_INF);
    bias = tf.add(bias, tf.reshape(padding, [keyMask.shape[0], 1, 1, total]));
  }
  return bias;
}

/**
 * [B, T, H·dh] → [B, H, T, dh]; one position needs no transpose, only a reshape (one kernel fewer per
 * decoding step).
 */
export function toHeads(t: tf.Tensor, B: number, T: number, H: number, dh: number): tf.Tensor4D {
  return (
    T === 1 ? tf.reshape(t, [B, H, 1, dh]) : tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3])
  ) as tf.Tensor4D;
}

/** [B, H, T, dh] → [B, T, H·dh], the inverse of toHeads. */
export function fromHeads(t: tf.Tensor, B: number, T: number, d: number): tf.Tensor3D {
  return (T === 1 ? tf.reshape(t, [B, 1, d]) : tf.reshape(tf.transpose(t, [0, 2, 1, 3]), [B, T, d])) as tf.Tensor3D;
}

/** Default positions 0..T-1 offset by the cache length, for every row [B, T]. */
export function defaultPositions(B: number, T: number, past: number): tf.Tensor2D {
  return tf.tile(tf.reshape(tf.range(past, past + T, 1, 'int32'), [1, T]), [B, 1]) as tf.Tensor2D;
}

/** How an architecture declares its parameters: each by name, shape and initial value. */
export interface ParamDefiner {
  normal(name: string, shape: number[], std: number): void;
  constant(name: string, shape: number[], value: number): void;
}

/** Seeded initialisers writing new variables into one map. */
export function initialisers(seed: number | string, params: Map<string, tf.Variable>): ParamDefiner {
  const rng = new Rng(`${seed}/init`);
  return {
    normal(name, shape, std) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
      params.set(name, tf.variable(tf.tensor(data, shape), true));
    },
    constant(name, shape, value) {
      params.set(name, tf.variable(tf.fill(shape, value), true));
    },
  };
}

/** A definer that only records each parameter's shape (no values drawn, nothing allocated). */
export function shapeRecorder(shapes: Map<string, number[]>): ParamDefiner {
  return { normal: (name, shape) => shapes.set(name, shape), constant: (name, shape) => shapes.set(name, shape) };
}

/**
 * Variables for every parameter of `shapes` (our layout) from Hugging Face tensors: `read` finds a
 * parameter's tensor, says the shape Hugging Face stores it in and how to turn it into ours. Missing
 * tensors and wrong shapes are errors naming the source; nothing is left allocated when one is thrown.
 */
export function paramsFromHf(
  shapes: Map<string, number[]>,
  source: string,
  trainable: boolean,
  read: (
    name: string,
    shape: number[],
  ) => { tensor?: NamedArray; hfShape: number[]; toOurs?: (t: NamedArray) => Float32Array | Int32Array },
): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  try {
    for (const [name, shape] of shapes) {
      const { tensor, hfShape, toOurs } = read(name, shape);
      if (!tensor) throw new Error(`${source}: missing tensor ${name}`);
      if (tensor.shape.join(',') !== hfShape.join(','))
        throw new Error(`${source}: ${name} has shape [${tensor.shape}], config implies [${hfShape}]`);
      params.set(name, tf.variable(tf.tensor(toOurs ? toOurs(tensor) : tensor.data, shape), trainable));
    }
  } catch (error) {
    for (const v of params.values()) v.dispose();
    throw error;
  }
  return params;
}

/**
 * `run(input, constants, params)` as one custom-gradient op that keeps only its inputs and recomputes
 * the block in the backward pass (activation checkpointing, Chen et al. 2016): one more forward per
 * block for memory that no longer grows with every activation of every layer. Constants (attention
 * bias, rotary tables) get no gradient.
 */
export function recomputedBlock(
  run: (input: tf.Tensor, constants: tf.Tensor[], params: tf.Tensor[]) => tf.Tensor,
  input: tf.Tensor,
  constants: tf.Tensor[],
  params: tf.Tensor[],
): tf.Tensor {
  const nConst = constants.length;
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, ...rest] = args as tf.Tensor[];
    const consts = rest.slice(0, nConst),
      values = rest.slice(nConst);
    save([x, ...consts, ...values]);
    return {
      value: run(x, consts, values),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, ...savedRest] = saved;
        const savedConsts = savedRest.slice(0, nConst),
          savedValues = savedRest.slice(nConst);
        // tfjs's gradients() clears the engine's tape when it ends at depth 0, which is where a
        // backward pass runs: keep the outer pass's tape (it frees its own saved tensors at the end)
        const engineState = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
        const outerTape = engineState.activeTape;
        try {
          const grads = tf.grads((...xs: tf.Tensor[]) => run(xs[0], savedConsts, xs.slice(1)))(
            [savedInput, ...savedValues],
            dy,
          );
          return [grads[0], ...savedConsts.map((c) => tf.zerosLike(c)), ...grads.slice(1)];
        } finally {
          engineState.activeTape = outerTape;
        }
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op(input, ...constants, ...params) as tf.Tensor;
}

/** [rows, cols] row-major data transposed to [cols, rows]. */
export function transposeData(data: Float32Array | Int32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
