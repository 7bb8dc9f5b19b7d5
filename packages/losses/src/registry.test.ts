import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PREFERENCE_LOSS_NAMES, parseLossParams, preferenceLoss } from './index.js';

test("defaults are the authors' (or the reference trainers')", () => {
  assert.deepEqual(parseLossParams('dpo', {}), { beta: 0.1 });
  assert.deepEqual(parseLossParams('simpo', {}), { beta: 2, gamma: 1 });
  assert.deepEqual(parseLossParams('exo', {}), { beta: 0.1, epsilon: 1e-3 });
  assert.deepEqual(parseLossParams('soft-pl', {}), { alpha: 1 });
});

test('invalid settings fail with a message naming the field and what to change', () => {
  assert.throws(() => parseLossParams('dpo', { beta: -1 }, 'methods[0].params'), /methods\[0\]\.params\.beta/);
  assert.throws(() => parseLossParams('dpo', { betta: 1 }), /betta|unrecognized/i);
  assert.throws(() => parseLossParams('exo', { epsilon: 0 }), /params\.epsilon: must be above 0: EXO takes log ε/);
  assert.throws(() => parseLossParams('robust', { epsilon: 0.5 }), /params\.epsilon: must be below 0\.5/);
  assert.throws(() => parseLossParams('cdpo', { epsilon: 0.7 }), /params\.epsilon/);
});

test('an unknown loss lists the known ones', () => {
  assert.throws(() => preferenceLoss('dpp'), /unknown loss "dpp"; known losses: dpo, cdpo, robust, ipo/);
});

test('the README table lists every registered loss', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const name of PREFERENCE_LOSS_NAMES)
    assert.match(readme, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `README.md has no row for ${name}`);
});
