// Where a step's time goes, per kernel: tf.profile records every kernel a run launches (forward and
// backward) with its time, and this sums them by kernel name and input shapes. timeSplit divides a
// step into matrix products, other kernels and the framework's overhead with its own timers, counting
// the products a fused GPT-2 block makes inside its kernel as products.
import { tf, takeFusedBlasStats } from '@spo/engine';

export interface KernelTotal {
  kernel: string;
  shapes: string;
  calls: number;
  ms: number;
}

export async function profileKernels(run: () => void): Promise<{ totalMs: number; kernels: KernelTotal[] }> {
  const started = performance.now();
  const info = await tf.profile(run);
  const totalMs = performance.now() - started;
  const byKey = new Map<string, KernelTotal>();
  for (const k of info.kernels) {
    const shapes = (k.inputShapes ?? []).map((s) => `[${s}]`).join(' ');
    const key = `${k.name} ${shapes}`;
    const t = byKey.get(key) ?? { kernel: k.name, shapes, calls: 0, ms: 0 };
    t.calls++;
    t.ms += Number(await k.kernelTimeMs) || 0;
    byKey.set(key, t);
  }
  return { totalMs, kernels: [...byKey.values()].sort((a, b) => b.ms - a.ms) };
}

export interface TimeSplit {
  /**
   * Time in matrix products: the native BLAS's kernel, the backend's matmul and convolution, and the
   * products inside fused GPT-2 blocks.
   */
  matmulMs: number;
  /** Time in every other kernel, the fused ones among them (a fused block's time outside its products). */
  otherKernelsMs: number;
  /** The fused kernels' share of otherKernelsMs. */
  fusedMs: number;
  /** Kernels launched per run. */
  kernels: number;
  /** What is left of the step: tfjs's dispatch, the tape, allocation, JavaScript between kernels. */
  overheadMs: number;
}

const isMatMul = (kernel: string) => /MatMul|Conv2D/.test(kernel);

/**
 * Where a step of `stepMs` goes: every kernel registered for the current backend is wrapped, for
 * `repeats` runs, in a timer (tf.profile's kernel times read each output back and inflate small kernels
 * several-fold, so they are not used here); what the kernels do not account for is the framework's
 * overhead. Kernels call one another directly, not through the registry, so nothing is counted twice.
 */
export function timeSplit(run: () => void, stepMs: number, repeats = 3): TimeSplit {
  const backend = tf.getBackend();
  const kernels = tf.getKernelsForBackend(backend);
  const totals = new Map<string, number>();
  let launched = 0;
  for (const k of kernels) {
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: backend,
      kernelFunc: (args) => {
        const started = performance.now();
        launched++;
        try {
          return k.kernelFunc(args);
        } finally {
          totals.set(k.kernelName, (totals.get(k.kernelName) ?? 0) + performance.now() - started);
        }
      },
    });
  }
  takeFusedBlasStats();
  let blockProductsMs = 0;
  try {
    for (let i = 0; i < repeats; i++) run();
    blockProductsMs = takeFusedBlasStats().ms / repeats;
  } finally {
    // the originals back (their setup ran when the backend started and is not repeated)
    for (const k of kernels) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel({ kernelName: k.kernelName, backendName: backend, kernelFunc: k.kernelFunc });
    }
  }
  const per = (keep: (name: string) => boolean) =>
    [...totals].filter(([name]) => keep(name)).reduce((a, [, ms]) => a + ms, 0) / repeats;
  const matmulMs = per(isMatMul) + blockProductsMs;
  const otherKernelsMs = per((n) => !isMatMul(n)) - blockProductsMs;
  const fusedMs = per((n) => n.startsWith('Spo') && !isMatMul(n)) - blockProductsMs;
  return {
    matmulMs,
    otherKernelsMs,
    fusedMs,
    kernels: launched / repeats,
    overheadMs: Math.max(0, stepMs - matmulMs - otherKernelsMs),
  };
}
