import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  tf,
  initBackend,
  currentBackend,
  Rng,
  configHash,
  readSafetensors,
  writeSafetensors,
  encodeSafetensors,
  decodeSafetensors,
  matMul2d,
  matMulTransposedRight,
  batchMatMul,
  batchMatMulTransposed,
  embeddingLookup,
  logSigmoid,
  takeAlongLastAxis,
  numericGradient,
  geluTanh,
  linear,
  layerNorm,
  rmsNorm,
  nativeMatMulOn,
  setNativeMatMul,
  rowSelector,
  isFrozen,
} from './index.js';

const backend = await initBackend(undefined, () => {});

/** The product paths to check: the backend's own matmul, and the native BLAS where it loaded. */
const matmulPaths = nativeMatMulOn() ? ['backend', 'native'] : ['backend'];
if (!nativeMatMulOn()) console.error(`[engine.test] native matmul paths not tested: ${backend.matmul}`);
function onEachMatmulPath(check: () => void): void {
  const wasOn = nativeMatMulOn();
  try {
    for (const path of matmulPaths) {
      setNativeMatMul(path === 'native');
      check();
    }
  } finally {
    setNativeMatMul(wasOn);
  }
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-3): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `index ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

test(
  'backend: auto picks the best that starts, ' +
    'never a software WebGPU adapter, and a failed explicit request is an error',
  async () => {
    assert.ok(['tensorflow', 'webgpu', 'wasm'].includes(tf.getBackend()));
    const webgpu = currentBackend().skipped.find((s) => s.name === 'webgpu');
    if (webgpu && /software/.test(webgpu.reason))
      assert.match(webgpu.reason, /not a GPU\); ask for it with --backend webgpu/);
    if (tf.getBackend() === 'webgpu') assert.equal(currentBackend().adapter?.software, false);
    await assert.rejects(() => initBackend('cpu', () => {}), /already running/);
  },
);

test('rng: same seed same stream, forks independent and stable', () => {
  const a = new Rng(7),
    b = new Rng(7);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => new Rng(8).next()),
  );
  const f1 = new Rng(7).fork('x').next(),
    f2 = new Rng(7).fork('x').next(),
    f3 = new Rng(7).fork('y').next();
  assert.equal(f1, f2);
  assert.notEqual(f1, f3);
  const restored = new Rng(a.state());
  assert.equal(restored.next(), a.next());
  const counts = [0, 0, 0];
  const r = new Rng(1);
  for (let i = 0; i < 3000; i++) counts[r.int(3)]++;
  for (const c of counts) assert.ok(c > 900 && c < 1100, `int(3) histogram ${counts}`);
});

test('configHash ignores key order and changes with values', () => {
  assert.equal(configHash({ a: 1, b: { c: 2, d: 3 } }), configHash({ b: { d: 3, c: 2 }, a: 1 }));
  assert.notEqual(configHash({ a: 1 }), configHash({ a: 2 }));
});

test('safetensors: round trip, 8-byte aligned header, bad file named in the error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-'));
  const path = join(dir, 'model.safetensors');
  writeSafetensors(
    path,
    {
      w: { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
      ids: { dtype: 'int32', shape: [2], data: Int32Array.from([-1, 7]) },
    },
    { format: 'pt' },
  );
  const bytes = readFileSync(path);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0);
  const { tensors, metadata } = readSafetensors(path);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(Array.from(tensors.w.data), [1, 2, 3, 4, 5, 6.5]);
  assert.deepEqual(tensors.w.shape, [2, 3]);
  assert.deepEqual(Array.from(tensors.ids.data), [-1, 7]);
  const broken = encodeSafetensors({ w: { dtype: 'float32', shape: [1], data: Float32Array.from([1]) } }).slice(0, 5);
  assert.throws(() => decodeSafetensors(broken, 'x.safetensors'), /x\.safetensors/);
});

test(
  'matMulTransposedRight: a @ bᵀ bit for bit as matMul2d(a, transpose(b)), values and gradients, ' +
    'trainable or frozen b, on each matmul path',
  () =>
    onEachMatmulPath(() => {
      // output heads [vocab, d] against rows of hidden states: odd sizes hit every edge of the BLAS's tiles
      for (const [rows, d, vocab] of [
        [1, 64, 70],
        [16, 64, 70],
        [512, 64, 70],
        [7, 33, 517],
        [300, 128, 512],
        [2, 5, 3],
      ]) {
        const a = tf.randomNormal([rows, d], 0, 1, 'float32', rows) as tf.Tensor2D;
        const b = tf.randomNormal([vocab, d], 0, 1, 'float32', vocab) as tf.Tensor2D;
        const weights = tf.randomNormal([rows, vocab], 0, 1, 'float32', d);
        const shape = `[${rows},${d}] @ [${vocab},${d}]ᵀ`;
        const ours = matMulTransposedRight(a, b);
        assert.deepEqual(ours.shape, [rows, vocab]);
        assert.deepEqual(Array.from(ours.dataSync()), Array.from(matMul2d(a, tf.transpose(b)).dataSync()), shape);
        close(ours.dataSync(), tf.matMul(a, b, false, true).dataSync());
        // a frozen b gets no gradient: then only a's
        const gradients = (product: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor, frozen: boolean) => {
          const loss = (x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.mul(product(x as tf.Tensor2D, y as tf.Tensor2D), weights));
          const computed = frozen ? [tf.grad((x: tf.Tensor) => loss(x, b))(a)] : tf.grads(loss)([a, b]);
          return computed.map((g) => Array.from(g.dataSync()));
        };
        for (const frozen of [false, true]) {
          assert.deepEqual(
            gradients((x, y) => matMulTransposedRight(x, y, frozen), frozen),
            gradients((x, y) => matMul2d(x, tf.transpose(y), frozen), frozen),
            `${shape}, b frozen ${frozen}: gradients`,
          );
        }
        // a non-trainable variable is frozen by default, as LoRA leaves a tied head
        const head = tf.variable(b, false);
        assert.deepEqual(
          Array.from(matMulTransposedRight(a, head).dataSync()),
          Array.from(matMul2d(a, tf.transpose(head), true).dataSync()),
        );
        head.dispose();
      }
    }),
);

test('matMul2d and batchMatMul: same values and gradients as tf.matMul, on each matmul path', () =>
  onEachMatmulPath(() => {
    const a = tf.randomNormal([3, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([4, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    close(matMul2d(a, b).dataSync(), tf.matMul(a, b).dataSync());
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.square(matMul2d(x as tf.Tensor2D, y as tf.Tensor2D))),
    )([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))),
    )([a, b]);
    close(ours[0].dataSync(), ref[0].dataSync());
    close(ours[1].dataSync(), ref[1].dataSync());
    const p = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 3);
    const q = tf.randomNormal([2, 3, 5, 2], 0, 1, 'float32', 4);
    const bo = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(batchMatMul(x, y))))([p, q]);
    const br = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.square(tf.matMul(x as tf.Tensor4D, y as tf.Tensor4D))),
    )([p, q]);
    close(batchMatMul(p, q).dataSync(), tf.matMul(p as tf.Tensor4D, q as tf.Tensor4D).dataSync());
    close(bo[0].dataSync(), br[0].dataSync());
    close(bo[1].dataSync(), br[1].dataSync());
    // a @ bᵀ with b as stored [.., n, k]; and a tiny product per group (the native path's plain loop)
    for (const [m, k, n] of [
      [4, 5, 3],
      [1, 16, 9],
    ]) {
      const x = tf.randomNormal([2, 3, m, k], 0, 1, 'float32', 5),
        y = tf.randomNormal([2, 3, n, k], 0, 1, 'float32', 6);
      const to = tf.grads((u: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(batchMatMulTransposed(u, w))))([x, y]);
      const tr = tf.grads((u: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(u as tf.Tensor4D, w as tf.Tensor4D, false, true))),
      )([x, y]);
      close(
        batchMatMulTransposed(x, y).dataSync(),
        tf.matMul(x as tf.Tensor4D, y as tf.Tensor4D, false, true).dataSync(),
      );
      close(to[0].dataSync(), tr[0].dataSync());
      close(to[1].dataSync(), tr[1].dataSync());
    }
  }));

test('linear: values and gradients equal the plain broadcast formula, on each matmul path', () =>
  onEachMatmulPath(() => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 11),
      w = tf.randomNormal([4, 5], 0, 1, 'float32', 12) as tf.Tensor2D,
      b = tf.randomNormal([5], 0, 1, 'float32', 13) as tf.Tensor1D;
    const weights = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 14);
    const f = (fn: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(fn(p, q, r), weights)))([x, w, b]);
    const plain = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
      tf.add(tf.matMul(p as tf.Tensor3D, tf.tile(tf.expandDims(q, 0), [2, 1, 1]) as tf.Tensor3D), r);
    close(linear(x, w, b).dataSync(), plain(x, w, b).dataSync());
    f((p, q, r) => linear(p, q as tf.Tensor2D, r as tf.Tensor1D)).forEach((g, i) =>
      close(g.dataSync(), f(plain)[i].dataSync()),
    );
  }));

test('layerNorm: values and hand-written gradients equal autodiff of the plain formula, on each matmul path', () =>
  onEachMatmulPath(() => {
    const x = tf.add(tf.mul(tf.randomNormal([2, 3, 6], 0, 1, 'float32', 21), 3), 1);
    const gain = tf.randomNormal([6], 1, 0.3, 'float32', 22) as tf.Tensor1D,
      bias = tf.randomNormal([6], 0, 1, 'float32', 23) as tf.Tensor1D;
    const weights = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 24);
    const plain = (t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const centered = tf.sub(t, tf.mean(t, -1, true));
      return tf.add(tf.mul(tf.div(centered, tf.sqrt(tf.add(tf.mean(tf.square(centered), -1, true), 1e-5))), g), b);
    };
    const ours = (t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(t, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
    close(ours(x, gain, bias).dataSync(), plain(x, gain, bias).dataSync(), 1e-4);
    const grads = (fn: typeof plain) =>
      tf.grads((t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fn(t, g, b), weights)))([x, gain, bias]);
    const [mine, reference] = [grads(ours), grads(plain)];
    mine.forEach((g, i) => close(g.dataSync(), reference[i].dataSync(), 1e-4));
  }));

test(
  'rmsNorm: values match a hand computation, ' +
    'gradients match autodiff of the plain formula and finite differences, on each matmul path',
  () =>
    onEachMatmulPath(() => {
      // [3, 4]: mean(x²) = 25/2, r = 1/sqrt(12.5 + 1e-5), so y = [3r·2, 4r·0.5]
      const r = 1 / Math.sqrt(12.5 + 1e-5);
      close(rmsNorm(tf.tensor2d([[3, 4]]), tf.tensor1d([2, 0.5]), 1e-5).dataSync(), [6 * r, 2 * r], 1e-6);
      const x = tf.add(tf.mul(tf.randomNormal([2, 3, 6], 0, 1, 'float32', 31), 3), 1);
      const gain = tf.randomNormal([6], 1, 0.3, 'float32', 32) as tf.Tensor1D;
      const weights = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 33);
      const plain = (t: tf.Tensor, g: tf.Tensor) =>
        tf.mul(tf.div(t, tf.sqrt(tf.add(tf.mean(tf.square(t), -1, true), 1e-5))), g);
      const ours = (t: tf.Tensor, g: tf.Tensor) => rmsNorm(t, g as tf.Tensor1D, 1e-5);
      close(ours(x, gain).dataSync(), plain(x, gain).dataSync(), 1e-5);
      const grads = (fn: typeof plain) =>
        tf.grads((t: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(fn(t, g), weights)))([x, gain]);
      const [mine, reference] = [grads(ours), grads(plain)];
      mine.forEach((g, i) => close(g.dataSync(), reference[i].dataSync(), 1e-4));
      close(
        mine[1].dataSync(),
        numericGradient((g: tf.Tensor) => tf.sum(tf.mul(ours(x, g), weights)) as tf.Scalar, gain),
        2e-2,
      );
    }),
);

test('embeddingLookup gradient matches finite differences, repeated ids accumulate', () => {
  const table = tf.randomNormal([5, 3], 0, 1, 'float32', 5);
  const ids = tf.tensor2d(
    [
      [0, 2],
      [2, 4],
    ],
    undefined,
    'int32',
  );
  const weights = tf.randomNormal([2, 2, 3], 0, 1, 'float32', 6);
  const f = (t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t as tf.Tensor2D, ids), weights)) as tf.Scalar;
  close(tf.grad(f)(table).dataSync(), numericGradient(f, table), 1e-2);
  assert.deepEqual(embeddingLookup(table as tf.Tensor2D, ids).shape, [2, 2, 3]);
  // the gatherND lookup returns exactly what the plain tf.gather does
  assert.deepEqual(
    Array.from(embeddingLookup(table as tf.Tensor2D, ids).dataSync()),
    Array.from(tf.gather(table, tf.reshape(ids, [-1])).dataSync()),
  );
});

test('logSigmoid: values and gradient on an intermediate tensor', () => {
  const x = tf.tensor1d([-30, -1, 0, 2, 30]);
  close(logSigmoid(x).dataSync(), [-30, -1.3132617, -0.6931472, -0.126928, 0], 1e-4);
  const f = (t: tf.Tensor) => tf.sum(logSigmoid(tf.sub(tf.mul(t, 2), 1))) as tf.Scalar;
  close(tf.grad(f)(x).dataSync(), numericGradient(f, x), 1e-2);
});

test("geluTanh: GPT-2's gelu_new by hand; values and gradient equal autodiff of the plain tanh formula", () => {
  const x = tf.tensor1d([-3, -1, 0, 0.5, 1, 2]);
  close(geluTanh(x).dataSync(), [-0.0036374, -0.158808, 0, 0.345714, 0.841192, 1.9545977], 1e-5);
  const plain = (t: tf.Tensor) =>
    tf.mul(
      tf.mul(t, 0.5),
      tf.add(tf.tanh(tf.mul(tf.add(t, tf.mul(tf.pow(t, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1),
    );
  const xs = tf.randomNormal([4, 50], 0, 2, 'float32', 9);
  close(geluTanh(xs).dataSync(), plain(xs).dataSync(), 1e-5);
  const weights = tf.randomNormal([4, 50], 0, 1, 'float32', 10);
  const grad = (f: (t: tf.Tensor) => tf.Tensor) =>
    tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), weights)) as tf.Scalar)(xs)
      .dataSync();
  close(grad(geluTanh), grad(plain), 1e-4);
});

test('takeAlongLastAxis picks one value per row', () => {
  const x = tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(Array.from(takeAlongLastAxis(x, tf.tensor1d([2, 0], 'int32')).dataSync()), [3, 4]);
});

test('rowSelector picks rows exactly, of any rank, and its gradient sums the rows that picked the same input', () => {
  const x = tf.tensor3d([[[1.5, -2]], [[3.25, 4]], [[-5, 6.125]]]);
  const pick = rowSelector([2, 0, 2], 3);
  assert.deepEqual(Array.from(pick(x).dataSync()), [-5, 6.125, 1.5, -2, -5, 6.125]);
  assert.deepEqual(pick(x).shape, [3, 1, 2]);
  const weights = tf.tensor3d([[[1, 2]], [[3, 4]], [[5, 6]]]);
  const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pick(t), weights)))(x);
  assert.deepEqual(Array.from(grad.dataSync()), [3, 4, 0, 0, 1 + 5, 2 + 6]);
  assert.throws(() => pick(tf.zeros([2, 2])), /rowCombination: x has 2 rows, the weights were made for 3/);
});

test(
  'matMul2d with a frozen right operand: ' +
    'the same value and gradient for the left, and none computed for the right',
  async () => {
    const rng = new Rng(4);
    const values = (n: number) => Array.from({ length: n }, () => rng.normal());
    const a = tf.variable(tf.tensor2d(values(12), [3, 4]), true, 'mm-a');
    const weights = tf.tensor2d(values(15), [3, 5]);
    const bValues = tf.tensor2d(values(20), [4, 5]);
    const grads = (trainableB: boolean) => {
      const b = tf.variable(bValues, trainableB);
      const out = tf.variableGrads(
        () => tf.sum(tf.mul(matMul2d(a, b), weights)) as tf.Scalar,
        trainableB ? [a, b] : [a],
      );
      const r = {
        value: out.value.dataSync()[0],
        a: Array.from(out.grads[a.name].dataSync()),
        names: Object.keys(out.grads).length,
      };
      b.dispose();
      return r;
    };
    const both = grads(true),
      frozen = grads(false);
    // products run: the forward and a's gradient when b is frozen; b's gradient too when it is not
    const products = async (trainableB: boolean) =>
      (await tf.profile(() => grads(trainableB))).kernels.filter((k) => /MatMul/i.test(k.name)).length;
    assert.deepEqual([await products(false), await products(true)], [2, 3]);
    assert.equal(frozen.value, both.value);
    assert.deepEqual(frozen.a, both.a);
    assert.equal(frozen.names, 1);
    assert.equal(isFrozen(tf.variable(bValues, false)), true);
    assert.equal(isFrozen(a), false);
  },
);
