// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, applied to matrices only
// (not to biases, LayerNorm gains or other vectors), as in GPT-2 and nanoGPT. The optimiser's state
// lives here; the update itself is the engine's adamWUpdate (composed ops, or one fused kernel for every
// parameter, the same numbers).
import { tf, adamWUpdate } from '@spo/engine';
import type { TensorMap } from '@spo/engine';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  weightDecay: number;
  eps?: number;
}

export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Updates applied so far (bias correction uses it). */
  t = 0;

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly s: AdamWSettings,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { beta1, beta2, weightDecay } = this.s;
    const names = [...grads.keys()];
    const params = names.map((name) => this.params.get(name)!);
    const updated = adamWUpdate(
      names.map((name, i) => ({
        param: params[i],
        grad: grads.get(name)!,
        m: this.m.get(name)!,
        v: this.v.get(name)!,
        decay: params[i].rank >= 2,
      })),
      {
        beta1,
        beta2,
        weightDecay,
        eps: this.s.eps ?? 1e-8,
        lr,
        correction1: 1 - beta1 ** this.t,
        correction2: 1 - beta2 ** this.t,
      },
    );
    names.forEach((name, i) => {
      params[i].assign(updated[i].param);
      this.m.get(name)!.assign(updated[i].m);
      this.v.get(name)!.assign(updated[i].v);
    });
    tf.dispose(updated.flatMap((u) => [u.param, u.m, u.v]));
  }

  /** Moments as host arrays, for checkpoints. */
  stateTensors(): TensorMap {
    const out: TensorMap = {};
    for (const [name, m] of this.m)
      out[`m.${name}`] = { dtype: 'float32', shape: m.shape, data: m.dataSync() as Float32Array };
    for (const [name, v] of this.v)
      out[`v.${name}`] = { dtype: 'float32', shape: v.shape, data: v.dataSync() as Float32Array };
    return out;
  }

  /** Name and shape of each tensor stateTensors() writes, to check a checkpoint before loading it. */
  stateTensorShapes(): [string, number[]][] {
    return [...this.m].flatMap(
      ([name, m]) =>
        [
          [`m.${name}`, m.shape],
          [`v.${name}`, m.shape],
        ] as [string, number[]][],
    );
  }

  loadState(tensors: TensorMap, t: number, source: string): void {
    for (const [prefix, store] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      for (const [name, variable] of store) {
        const saved = tensors[`${prefix}.${name}`];
        if (!saved) throw new Error(`${source}: optimiser state lacks ${prefix}.${name}`);
        variable.assign(tf.tensor(saved.data, saved.shape));
      }
    }
    this.t = t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
