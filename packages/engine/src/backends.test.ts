// Every op of ops.ts on every backend this machine can run, against the cpu backend (tfjs's plain
// JavaScript kernels, the reference): values and gradients. The wasm backend runs twice (native BLAS
// and its own XNNPACK matmul); webgpu runs where Dawn finds an adapter (a GPU, or Mesa ≥ 23's lavapipe
// on the CPU) and is skipped, saying why, where it does not. The cpu run itself exercises every
// op's fallback for backends without the wasm-only fast paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from './random.js';
import { switchBackend, initBackend } from './backend.js';
import { nativeMatMulOn, setNativeMatMul } from './native-matmul.js';
import { enableFusedKernels, fusedSetting, setFusedKernels } from './fused-kernels.js';
import { webGpuAdapter, describeAdapter } from './webgpu.js';
import {
  matMul2d,
  linear,
  layerNorm,
  rmsNorm,
  silu,
  swiglu,
  maskedSoftmax,
  targetLogProbs,
  batchMatMul,
  batchMatMulTransposed,
  geluTanh,
  embeddingLookup,
  logSigmoid,
  takeAlongLastAxis,
  stopGradient,
} from './ops.js';

await initBackend('wasm', () => {});
const rng = new Rng('backends');
const normal = (...shape: number[]) =>
  Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
/** An attention mask [batch, 1, T, S] as causal-lm.ts makes them: −1e9 above the diagonal and on padded keys. */
function attentionMask(batch: number, T: number, S: number, padded: number[]): Float32Array {
  const m = new Float32Array(batch * T * S);
  for (let b = 0; b < batch; b++)
    for (let q = 0; q < T; q++)
      for (let k = 0; k < S; k++) if (k > S - T + q || k < padded[b]) m[(b * T + q) * S + k] = -1e9;
  return m;
}
const MASK_2 = attentionMask(2, 4, 6, [0, 2]),
  MASK_1 = attentionMask(1, 4, 6, [0]);
/**
 * Each case: its inputs as host arrays, and a function of input tensors whose value and input gradients are compared.
 */
const CASES: {
  name: string;
  inputs: [Float32Array | Int32Array, number[], 'float32' | 'int32'][];
  f: (...x: tf.Tensor[]) => tf.Tensor;
  tol: number;
}[] = [
  {
    name: 'matMul2d',
    inputs: [
      [normal(5, 7), [5, 7], 'float32'],
      [normal(7, 3), [7, 3], 'float32'],
    ],
    f: (a, b) => matMul2d(a as tf.Tensor2D, b as tf.Tensor2D),
    tol: 1e-5,
  },
  {
    name: 'linear',
    inputs: [
      [normal(2, 4, 6), [2, 4, 6], 'float32'],
      [normal(6, 5), [6, 5], 'float32'],
      [normal(5), [5], 'float32'],
    ],
    f: (x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D),
    tol: 1e-5,
  },
  {
    name: 'layerNorm',
    inputs: [
      [normal(3, 4, 8), [3, 4, 8], 'float32'],
      [normal(8), [8], 'float32'],
      [normal(8), [8], 'float32'],
    ],
    f: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5),
    tol: 1e-4,
  },
  {
    name: 'rmsNorm',
    inputs: [
      [normal(3, 4, 8), [3, 4, 8], 'float32'],
      [normal(8), [8], 'float32'],
    ],
    f: (x, g) => rmsNorm(x, g as tf.Tensor1D, 1e-5),
    tol: 1e-4,
  },
  { name: 'silu', inputs: [[normal(4, 9), [4, 9], 'float32']], f: (x) => silu(x), tol: 1e-5 },
  { name: 'geluTanh', inputs: [[normal(4, 9), [4, 9], 'float32']], f: (x) => geluTanh(x), tol: 1e-5 },
  {
    name: 'swiglu',
    inputs: [
      [normal(3, 7), [3, 7], 'float32'],
      [normal(3, 7), [3, 7], 'float32'],
    ],
    f: (g, u) => swiglu(g, u),
    tol: 1e-5,
  },
  {
    name: 'maskedSoftmax (a mask per batch row, causal and padded)',
    inputs: [[normal(2, 3, 4, 6), [2, 3, 4, 6], 'float32']],
    f: (s) => maskedSoftmax(s, 0.35, tf.tensor4d(MASK_2, [2, 1, 4, 6])),
    tol: 1e-5,
  },
  {
    name: 'maskedSoftmax (one causal mask, grouped heads)',
    inputs: [[normal(2, 2, 3, 4, 6), [2, 2, 3, 4, 6], 'float32']],
    f: (s) => maskedSoftmax(s, 0.5, tf.tensor(MASK_1, [1, 1, 1, 4, 6])),
    tol: 1e-5,
  },
  {
    name: 'targetLogProbs',
    inputs: [
      [normal(2, 3, 11), [2, 3, 11], 'float32'],
      [Int32Array.from([0, 10, 4, 4, 7, 1]), [2, 3], 'int32'],
    ],
    f: (x, t) => targetLogProbs(tf.mul(x, 3), t),
    tol: 1e-5,
  },
  {
    name: 'batchMatMul',
    inputs: [
      [normal(2, 3, 4, 5), [2, 3, 4, 5], 'float32'],
      [normal(2, 3, 5, 6), [2, 3, 5, 6], 'float32'],
    ],
    f: (a, b) => batchMatMul(a, b),
    tol: 1e-5,
  },
  {
    name: 'batchMatMulTransposed',
    inputs: [
      [normal(2, 3, 4, 5), [2, 3, 4, 5], 'float32'],
      [normal(2, 3, 6, 5), [2, 3, 6, 5], 'float32'],
    ],
    f: (a, b) => batchMatMulTransposed(a, b),
    tol: 1e-5,
  },
  {
    name: 'embeddingLookup',
    inputs: [
      [normal(11, 4), [11, 4], 'float32'],
      [Int32Array.from([0, 3, 3, 10, 7, 0]), [2, 3], 'int32'],
    ],
    f: (t, ids) => embeddingLookup(t as tf.Tensor2D, ids),
    tol: 1e-6,
  },
  {
    name: 'logSigmoid',
    inputs: [[Float32Array.from([-40, -3, -0.5, 0, 0.5, 3, 40]), [7], 'float32']],
    f: (x) => logSigmoid(tf.mul(x, 1)),
    tol: 1e-5,
  },
  {
    name: 'takeAlongLastAxis',
    inputs: [
      [normal(3, 5), [3, 5], 'float32'],
      [Int32Array.from([4, 0, 2]), [3], 'int32'],
    ],
    f: (x, i) => takeAlongLastAxis(tf.logSoftmax(x), i),
    tol: 1e-5,
  },
  {
    name: 'stopGradient',
    inputs: [[normal(6), [6], 'float32']],
    f: (x) => tf.add(stopGradient(tf.square(x)), x),
    tol: 1e-6,
  },
];

interface Result {
  value: number[];
  grads: number[][];
}

/**
 * Each case's output and the gradient of Σ output · weights with respect to each float input, on the current backend.
 */
function runCases(): Map<string, Result> {
  const out = new Map<string, Result>();
  for (const c of CASES) {
    tf.tidy(() => {
      const xs = c.inputs.map(([data, shape, dtype]) => tf.tensor(data, shape, dtype));
      const value = c.f(...xs);
      const weights = tf.tensor(
        Float32Array.from({ length: value.size }, (_, i) => Math.sin(i + 1)),
        value.shape,
      );
      const floats = xs.map((x, i) => (x.dtype === 'float32' ? i : -1)).filter((i) => i >= 0);
      const grads = tf.grads((...fx: tf.Tensor[]) => {
        const all = xs.slice();
        floats.forEach((i, j) => (all[i] = fx[j]));
        return tf.sum(tf.mul(c.f(...all), weights)) as tf.Scalar;
      })(floats.map((i) => xs[i]));
      out.set(c.name, { value: Array.from(value.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())) });
    });
  }
  return out;
}

function maxRelativeError(actual: number[], expected: number[]): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++)
    m = Math.max(m, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  return m;
}

/** Asserts each case within its tolerance; returns the worst relative error per case, for the test's diagnostics. */
function assertAgree(results: Map<string, Result>, reference: Map<string, Result>, label: string): string {
  const worstByCase: string[] = [];
  for (const c of CASES) {
    const got = results.get(c.name)!,
      want = reference.get(c.name)!;
    assert.equal(got.value.length, want.value.length, `${label} ${c.name}: shape`);
    const errors = [
      maxRelativeError(got.value, want.value),
      ...got.grads.map((g, i) => maxRelativeError(g, want.grads[i])),
    ];
    const worst = Math.max(...errors);
    assert.ok(
      worst <= c.tol,
      `${label} ${c.name}: max relative error ${worst.toExponential(2)} over tolerance ${c.tol}`,
    );
    worstByCase.push(`${c.name} ${worst.toExponential(1)}`);
  }
  return `${label}, max relative error against cpu: ${worstByCase.join(', ')}`;
}

const reference = await (async () => {
  await switchBackend('cpu');
  return runCases();
})();

test(
  'wasm with the native BLAS and with its own matmul, with the fused kernels and without, agrees ' +
    'with the cpu backend on every op, values and gradients',
  async (t) => {
    assert.equal(await switchBackend('wasm'), undefined);
    const was = nativeMatMulOn(),
      wasFused = fusedSetting();
    const fusedHere = enableFusedKernels({ SPO_FUSED: 'on' });
    if (!fusedHere.fused) t.diagnostic(`the fused kernels are not checked: ${fusedHere.detail}`);
    try {
      for (const native of [true, false]) {
        if (native && !was) continue;
        setNativeMatMul(native);
        for (const fused of fusedHere.fused ? [true, false] : [false]) {
          setFusedKernels(fused ? 'ops' : 'off');
          const label = `wasm (${native ? 'native BLAS' : 'XNNPACK'}, ${fused ? 'fused kernels' : 'composed ops'})`;
          t.diagnostic(assertAgree(runCases(), reference, label));
        }
      }
    } finally {
      setNativeMatMul(was);
      setFusedKernels(wasFused);
    }
  },
);

const webgpu = await switchBackend('webgpu');
await switchBackend('wasm');
test(
  `webgpu agrees with the cpu backend on every op, ` +
    `values and gradients${webGpuAdapter() ? ` (on ${describeAdapter(webGpuAdapter()!)})` : ''}`,
  { skip: webgpu ? `skipped: the webgpu backend is not available here (${webgpu})` : false },
  async (t) => {
    assert.equal(await switchBackend('webgpu'), undefined);
    try {
      assert.equal(tf.getBackend(), 'webgpu');
      t.diagnostic(assertAgree(runCases(), reference, 'webgpu'));
    } finally {
      await switchBackend('wasm');
    }
  },
);
