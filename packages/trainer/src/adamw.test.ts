// AdamW against the textbook per-parameter update written out here, bit for bit, over several steps, with
// weight decay on matrices only, a parameter that gets no gradient on one step, and a state round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, Rng } from '@spo/engine';
import { AdamW } from './adamw.js';

await initBackend(undefined, () => {});

function textbookAdamW(params: Map<string, tf.Variable>, s: { beta1: number; beta2: number; weightDecay: number }) {
  const m = new Map([...params].map(([n, p]) => [n, tf.zerosLike(p)]));
  const v = new Map([...params].map(([n, p]) => [n, tf.zerosLike(p)]));
  let t = 0;
  return (grads: Map<string, tf.Tensor>, lr: number) => {
    t++;
    const c1 = 1 - s.beta1 ** t,
      c2 = 1 - s.beta2 ** t;
    for (const [name, g] of grads) {
      const p = params.get(name)!;
      m.set(name, tf.add(tf.mul(m.get(name)!, s.beta1), tf.mul(g, 1 - s.beta1)));
      v.set(name, tf.add(tf.mul(v.get(name)!, s.beta2), tf.mul(tf.square(g), 1 - s.beta2)));
      let update = tf.div(tf.div(m.get(name)!, c1), tf.add(tf.sqrt(tf.div(v.get(name)!, c2)), 1e-8));
      if (s.weightDecay > 0 && p.rank >= 2) update = tf.add(update, tf.mul(p, s.weightDecay));
      p.assign(tf.sub(p, tf.mul(update, lr)));
    }
  };
}

test(
  'AdamW: equals the textbook update bit for bit, ' +
    'skips parameters without a gradient, ' +
    'and restores its state',
  () => {
    const rng = new Rng('adamw');
    const shapes: [string, number[]][] = [
      ['w1', [3, 4]],
      ['b1', [4]],
      ['w2', [4, 2]],
      ['g', [2]],
    ];
    const make = () =>
      new Map(
        shapes.map(([n, s]) => [
          n,
          tf.variable(
            tf.tensor(
              Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + n.length)),
              s,
            ),
          ),
        ]),
      );
    const settings = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1 };
    const ours = make(),
      theirs = make();
    const adam = new AdamW(ours, settings),
      reference = textbookAdamW(theirs, settings);
    for (let step = 0; step < 4; step++) {
      const grads = new Map(
        shapes.map(
          ([n, s]) =>
            [
              n,
              tf.tensor(
                Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()),
                s,
              ),
            ] as const,
        ),
      );
      if (step === 2) grads.delete('w2'); // no gradient this step: its value and moments stay
      adam.apply(grads, 1e-2);
      reference(grads, 1e-2);
    }
    for (const [n] of shapes)
      assert.deepEqual(Array.from(ours.get(n)!.dataSync()), Array.from(theirs.get(n)!.dataSync()), n);
    const restored = new AdamW(make(), settings);
    restored.loadState(adam.stateTensors(), adam.t, 'test');
    assert.deepEqual(restored.stateTensors(), adam.stateTensors());
    assert.deepEqual(
      adam
        .stateTensorShapes()
        .map(([n]) => n)
        .sort(),
      ['g', 'b1', 'w1', 'w2'].flatMap((n) => [`m.${n}`, `v.${n}`]).sort(),
    );
  },
);
