import { tf, initBackend } from '@spo/engine';
import { CausalLM, sequenceLogProbs } from '@spo/model';
await initBackend('wasm');
const model = CausalLM.init({ vocabSize: 2048, maxPositions: 256, dModel: 128, nLayers: 4, nHeads: 4, layerNormEps: 1e-5 }, 1);
const x = tf.tensor2d(Int32Array.from({ length: 4 * 256 }, (_, i) => 4 + (i * 7) % 2000), [4, 256], 'int32');
const m = tf.tensor2d(Float32Array.from({ length: 4 * 256 }, (_, i) => (i % 256 >= 128 ? 1 : 0)), [4, 256]);
tf.variableGrads(() => {
  const lp = sequenceLogProbs(model.forward(x, { logitsFrom: 127 }).logits, x, m).sum;
  const tape = (tf.engine() as any).state.activeTape as any[];
  const by = new Map<string, { n: number; mib: number }>();
  const seen = new Set();
  let total = 0;
  for (const node of tape) for (const t of node.saved ?? []) {
    if (t.isDisposed) continue;
    const key = `${node.kernelName} ${JSON.stringify(t.shape)}`;
    const e = by.get(key) ?? { n: 0, mib: 0 }; e.n++; e.mib += t.size * 4 / 2 ** 20; by.set(key, e);
    if (!seen.has(t.dataId)) { seen.add(t.dataId); total += t.size * 4; }
  }
  console.log('tape nodes', tape.length, 'unique saved MiB', (total / 2 ** 20).toFixed(1), 'numBytes', (tf.memory().numBytes / 2 ** 20).toFixed(1));
  console.log([...by].sort((a, b) => b[1].mib - a[1].mib).slice(0, 30).map(([k, e]) => `${e.mib.toFixed(1)} MiB x${e.n} ${k}`).join('\n'));
  return tf.sum(lp) as tf.Scalar;
});
