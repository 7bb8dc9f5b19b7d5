// Where a step's time goes, per kernel: tf.profile records every kernel a run launches (forward and
// backward) with its time, and this sums them by kernel name and input shapes.
import { tf } from '@spo/engine';

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
