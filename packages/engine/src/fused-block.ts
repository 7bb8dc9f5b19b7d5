// A whole GPT-2 block as one differentiable op on the wasm backend: forward in one native call, backward
// in one (@spo/native-kernels, src/gpt2-block.cc), where the block's composed ops launch ~60 kernels
// forward and ~120 backward, each with tfjs's bookkeeping, and leave the BLAS's worker thread to go cold
// between products. It makes the same products with the same BLAS calls and the same fused kernels in
// the same order, and sums each gradient in the order tfjs's backward pass would, so its values and
// gradients are the composed block's bit for bit (packages/model/src/gpt2-fused-block.test.ts): the same
// numerics path.
import * as tf from '@tensorflow/tfjs';
import { BLOCK_WEIGHT_INPUTS, blockParamShapes, fusedBlocksOn, runFused } from './fused-kernels.js';
import { isFrozen } from './ops.js';

/** A block's parameters by their name inside the block, Hugging Face GPT-2's (GPT2_BLOCK_PARAMS). */
export const GPT2_BLOCK_PARAMS = [
  'ln_1.weight',
  'ln_1.bias',
  'attn.c_attn.weight',
  'attn.c_attn.bias',
  'attn.c_proj.weight',
  'attn.c_proj.bias',
  'ln_2.weight',
  'ln_2.bias',
  'mlp.c_fc.weight',
  'mlp.c_fc.bias',
  'mlp.c_proj.weight',
  'mlp.c_proj.bias',
] as const;
export type Gpt2BlockParam = (typeof GPT2_BLOCK_PARAMS)[number];

export interface FusedBlockOptions {
  heads: number;
  layerNormEps: number;
  /** Keys and values of earlier positions, each [B, heads, past, d / heads]. */
  cache?: { k: tf.Tensor4D; v: tf.Tensor4D };
  /** Return the keys and values (the cache's, then the new tokens'), as a cache for later passes. */
  returnKeys: boolean;
}

export interface FusedBlockOutput {
  out: tf.Tensor3D;
  k?: tf.Tensor4D;
  v?: tf.Tensor4D;
}

const engine = () =>
  tf.engine() as unknown as {
    isTapeOn(): boolean;
    runKernelFunc(params: {
      forwardFunc: (backend: unknown, save: (tensors: tf.Tensor[]) => void) => tf.Tensor | tf.Tensor[];
      backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
      inputs: tf.NamedTensorMap;
    }): tf.Tensor | tf.Tensor[];
  };

/**
 * Every tensor's shape against x's (the native block checks only that each lies inside the
 * heap, so a wrong one would read its neighbours where the composed ops throw): weights in Hugging Face
 * GPT-2's layout ([in, out]), the cache's keys and values [B, heads, past, d / heads].
 */
function checkShapes(x: tf.Tensor3D, weights: tf.Tensor[], o: FusedBlockOptions): void {
  const [B, , d] = x.shape;
  const expected = blockParamShapes(d); // every GPT-2 here has a 4d-wide MLP (hf-config.ts refuses others)
  const wrong = GPT2_BLOCK_PARAMS.flatMap((name, i) =>
    weights[i].shape.join() === expected[i].join() ? [] : [`${name} is [${weights[i].shape}], not [${expected[i]}]`],
  );
  if (o.cache) {
    const want = [B, o.heads, o.cache.k.shape[2], d / o.heads];
    for (const [name, t] of [
      ['cache keys', o.cache.k],
      ['cache values', o.cache.v],
    ] as const)
      if (t.shape.join() !== want.join()) wrong.push(`${name} are [${t.shape}], not [${want}]`);
  }
  if (wrong.length) throw new Error(`fusedGpt2Block: x is [${x.shape}]: ${wrong.join('; ')}`);
}

/**
 * The block x [B, T, d] → x + attention(ln_1(x)), then + MLP(ln_2(·)), with `mask` [1 or B, 1, T, past + T]
 * added to every head's scores; or undefined where only the composed ops can compute it: the fused
 * blocks off (fusedBlocksOn), a mask in another layout, or one new token while gradients are recorded
 * (that layout's backward is not fused).
 */
export function fusedGpt2Block(
  x: tf.Tensor3D,
  param: (name: Gpt2BlockParam) => tf.Tensor,
  mask: tf.Tensor,
  o: FusedBlockOptions,
): FusedBlockOutput | undefined {
  if (!fusedBlocksOn()) return undefined;
  const [B, T] = x.shape;
  const past = o.cache?.k.shape[2] ?? 0;
  const maskFits =
    mask.rank === 4 &&
    mask.dtype === 'float32' &&
    (mask.shape[0] === 1 || mask.shape[0] === B) &&
    mask.shape[1] === 1 &&
    mask.shape[2] === T &&
    mask.shape[3] === past + T;
  const recording = engine().isTapeOn();
  if (!maskFits || (recording && T === 1)) return undefined;

  const weights = GPT2_BLOCK_PARAMS.map(param);
  checkShapes(x, weights, o);
  const weightInputs = Object.fromEntries(BLOCK_WEIGHT_INPUTS.map((name, i) => [name, weights[i]]));
  const cacheInputs: tf.NamedTensorMap = o.cache ? { cacheKeys: o.cache.k, cacheValues: o.cache.v } : {};
  // what gradients flow to: x, the cache, and every parameter an optimiser may update (frozen ones,
  // the reference model's or those LoRA leaves alone, get none and cost nothing)
  const differentiable: tf.NamedTensorMap = { x, ...cacheInputs };
  weights.forEach((w, i) => {
    if (!isFrozen(w)) differentiable[BLOCK_WEIGHT_INPUTS[i]] = w;
  });
  const attrs = { heads: o.heads, eps: o.layerNormEps };

  const outputs = engine().runKernelFunc({
    inputs: differentiable,
    forwardFunc: (_backend, save) => {
      const [y, keys, values, saved] = runFused(
        'SpoGpt2Block',
        { x, mask, ...weightInputs, ...cacheInputs },
        { ...attrs, kv: o.returnKeys || recording ? 1 : 0, save: recording ? 1 : 0 },
      );
      // the backward pass reads the weights after the forward's tidy has freed any that were
      // intermediates (LoRA's merged weights): keep its own references to those, as tfjs's gradients do
      save([keys, values, saved, ...weights.filter((w) => !(w instanceof tf.Variable))]);
      return o.returnKeys ? [y, keys, values] : y;
    },
    backwardsFunc: (dy, [keys, values, saved, ...kept]) => {
      // variables live on; the kept copies stand in for the others, in order
      const savedWeights = weights.map((w) => (w instanceof tf.Variable ? w : kept.shift()!));
      const [dOut, dKeys, dValues] = Array.isArray(dy) ? dy : [dy];
      const names = ['x', ...BLOCK_WEIGHT_INPUTS, 'cacheKeys', 'cacheValues'];
      const wanted = names.filter((name) => name in differentiable);
      const want = names.reduce((bits, name, i) => (name in differentiable ? bits | (1 << i) : bits), 0);
      const grads = runFused(
        'SpoGpt2BlockGrad',
        {
          dy: dOut,
          ...(dKeys ? { dKeys, dValues } : {}),
          keys,
          values,
          saved,
          ...Object.fromEntries(BLOCK_WEIGHT_INPUTS.map((name, i) => [name, savedWeights[i]])),
        },
        { ...attrs, want },
      );
      return Object.fromEntries(wanted.map((name, i) => [name, () => grads[i]]));
    },
  });
  if (!Array.isArray(outputs)) return { out: outputs as tf.Tensor3D };
  const [out, k, v] = outputs;
  return { out: out as tf.Tensor3D, k: k as tf.Tensor4D, v: v as tf.Tensor4D };
}
