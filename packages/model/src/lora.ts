// LoRA (Hu et al. 2021): a frozen weight W [in, out] is used as W + (alpha / rank) · A B, with A [in, rank]
// drawn N(0, 1/in) and B [rank, out] zero, so training starts from the pretrained function and only A
// and B learn. The sum is formed once per forward pass (cheap at small rank); gradients reach A and B
// through it. A model's checkpoints during training hold only the adapters; saving or exporting it
// writes the merged weights.
import { z } from 'zod';
import { tf, Rng, matMul2d } from '@spo/engine';

export const LoraConfigSchema = z
  .object({
    rank: z.number().int().positive().default(8),
    alpha: z.number().positive().default(16),
    /**
     * Which 2-D weights get adapters: a parameter matches a target when its name ends in ".<target>.weight"
     * (Llama: "q_proj", "v_proj", "gate_proj", ...; GPT-2: "c_attn", "attn.c_proj", "mlp.c_fc", ...).
     * Default: the attention projections.
     */
    targets: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export type LoraConfig = z.infer<typeof LoraConfigSchema>;

export const DEFAULT_LORA_TARGETS = {
  llama: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
  gpt2: ['c_attn', 'attn.c_proj'],
} as const;

export class LoraAdapters {
  readonly scale: number;
  private readonly a = new Map<string, tf.Variable>();
  private readonly b = new Map<string, tf.Variable>();

  /**
   * Adapters for every weight of `params` a target matches; those weights (and every other parameter)
   * are frozen. Throws when a target matches nothing, naming the parameters there are.
   */
  constructor(
    params: Map<string, tf.Variable>,
    readonly config: LoraConfig,
    targets: readonly string[],
    seed: number | string,
  ) {
    this.scale = config.alpha / config.rank;
    const rng = new Rng(`${seed}/lora`);
    for (const target of targets) {
      const names = [...params.keys()].filter((n) => n.endsWith(`.${target}.weight`) && params.get(n)!.rank === 2);
      if (names.length === 0) {
        const examples = [
          ...new Set(
            [...params.keys()]
              .filter((n) => params.get(n)!.rank === 2)
              .map((n) => n.replace(/^(?:.*\.)?(\w+)\.weight$/, '$1')),
          ),
        ].join(', ');
        throw new Error(
          `lora.targets: "${target}" matches no 2-D weight of this model; its 2-D weights are: ${examples}`,
        );
      }
      for (const name of names) {
        const [inDim, outDim] = params.get(name)!.shape;
        const a = Float32Array.from({ length: inDim * config.rank }, () => rng.normal() / Math.sqrt(inDim));
        this.a.set(name, tf.variable(tf.tensor2d(a, [inDim, config.rank]), true));
        this.b.set(name, tf.variable(tf.zeros([config.rank, outDim]), true));
      }
    }
    for (const v of params.values()) v.trainable = false;
  }

  /** The weight a forward pass uses: W + scale · A B for an adapted weight, W itself otherwise. */
  effective(name: string, weight: tf.Tensor): tf.Tensor {
    const a = this.a.get(name);
    if (!a) return weight;
    return tf.add(weight, tf.mul(matMul2d(a as tf.Tensor2D, this.b.get(name)! as tf.Tensor2D), this.scale));
  }

  /** The trainable adapter variables by name ("<weight>.lora_A", "<weight>.lora_B"). */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, a] of this.a) {
      out.set(`${name}.lora_A`, a);
      out.set(`${name}.lora_B`, this.b.get(name)!);
    }
    return out;
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.variables().values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.variables().values()) v.dispose();
  }
}
