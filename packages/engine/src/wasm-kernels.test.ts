import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, switchBackend, Rng } from './index.js';
import { copyBox } from './wasm-kernels.js';

const backend = await initBackend('wasm', () => {});
const rng = new Rng(11);

/** A random shape of `rank` axes (some of length 1) and a random box inside it. */
function randomBox(rank: number): { shape: number[]; begin: number[]; size: number[] } {
  const shape = Array.from({ length: rank }, () => 1 + rng.int(5));
  const begin = shape.map((n) => rng.int(n));
  const size = shape.map((n, d) => 1 + rng.int(n - begin[d]));
  return { shape, begin, size };
}

/** The box element by element, by index arithmetic alone. */
function naiveBox(x: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const count = size.reduce((a, b) => a * b, 1);
  for (let n = 0; n < count; n++) {
    let rest = n,
      at = 0,
      stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      at += (begin[d] + (rest % size[d])) * stride;
      rest = Math.floor(rest / size[d]);
      stride *= shape[d];
    }
    out.push(x[at]);
  }
  return out;
}

test('copyBox copies exactly the box, for every rank and box, whole trailing axes merged or not', () => {
  for (let trial = 0; trial < 400; trial++) {
    const { shape, begin, size } = randomBox(1 + (trial % 5));
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
    const out = new Float32Array(size.reduce((a, b) => a * b, 1));
    copyBox(x, shape, begin, size, out);
    assert.deepEqual(
      Array.from(out),
      naiveBox(x, shape, begin, size),
      `shape [${shape}] begin [${begin}] size [${size}]`,
    );
  }
  // long blocks go through subarray copies
  const shape = [3, 4, 50],
    x = Float32Array.from({ length: 600 }, (_, i) => i),
    out = new Float32Array(2 * 4 * 50);
  copyBox(x, shape, [1, 0, 0], [2, 4, 50], out);
  assert.deepEqual(Array.from(out), naiveBox(x, shape, [1, 0, 0], [2, 4, 50]));
});

test(
  `wasm Slice and SplitV (replaced) give cpu's values for float32, int32 and bool, and concat's gradient through them`,
  { skip: backend.name !== 'wasm' && 'the wasm backend did not start' },
  async () => {
    const cases = Array.from({ length: 60 }, (_, i) => ({
      ...randomBox(1 + (i % 5)),
      dtype: (['float32', 'int32', 'bool'] as const)[i % 3],
    }));
    const run = () =>
      cases.map(({ shape, begin, size, dtype }, i) =>
        tf.tidy(() => {
          const n = shape.reduce((a, b) => a * b, 1);
          const values = Array.from({ length: n }, (_, j) =>
            dtype === 'bool' ? Number((j * 7 + i) % 3 === 0) : j * 1.5 - i,
          );
          const x = tf.tensor(values, shape, dtype);
          const axis = i % shape.length;
          const parts = shape[axis] > 1 ? [1, shape[axis] - 1] : [1];
          return {
            slice: Array.from(tf.slice(x, begin, size).dataSync()),
            split: tf.split(x, parts, axis).map((p) => Array.from(p.dataSync())),
          };
        }),
      );
    const grad = () =>
      tf.tidy(() => {
        const a = tf.tensor4d(
          Array.from({ length: 2 * 3 * 4 * 5 }, (_, j) => Math.sin(j)),
          [2, 3, 4, 5],
        );
        const b = tf.tensor4d(
          Array.from({ length: 2 * 3 * 2 * 5 }, (_, j) => Math.cos(j)),
          [2, 3, 2, 5],
        );
        const weights = tf.tensor4d(
          Array.from({ length: 2 * 3 * 6 * 5 }, (_, j) => j % 7),
          [2, 3, 6, 5],
        );
        return tf
          .grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 2), weights)))([a, b])
          .map((g) => Array.from(g.dataSync()));
      });
    const wasm = { values: run(), grad: grad() };
    assert.equal(await switchBackend('cpu'), undefined);
    try {
      assert.deepEqual(wasm.values, run());
      assert.deepEqual(wasm.grad, grad());
    } finally {
      await switchBackend('wasm');
    }
  },
);

test(
  'wasm Identity (replaced) shares the buffer: a clone outlives its source, ' +
    'and a variable assigned afterwards leaves it as it was',
  { skip: backend.name !== 'wasm' && 'the wasm backend did not start' },
  () => {
    const source = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const before = tf.memory().numBytes;
    const clone = tf.clone(source);
    assert.equal(tf.memory().numBytes, before + 16, 'the engine counts the clone');
    source.dispose();
    assert.deepEqual(Array.from(clone.dataSync()), [1, 2, 3, 4]);
    const v = tf.variable(tf.tensor1d([5, 6]));
    const saved = tf.clone(v);
    v.assign(tf.tensor1d([7, 8]));
    assert.deepEqual(Array.from(saved.dataSync()), [5, 6]);
    assert.deepEqual(Array.from(v.dataSync()), [7, 8]);
    tf.dispose([clone, saved, v]);
    // what tfjs saves for a gradient is such a clone: the gradient is unchanged
    const x = tf.tensor1d([0.5, -1, 2]);
    assert.deepEqual(
      Array.from(
        tf
          .grad((t: tf.Tensor) => tf.sum(tf.mul(t, t)))(x)
          .dataSync(),
      ),
      [1, -2, 4],
    );
  },
);
