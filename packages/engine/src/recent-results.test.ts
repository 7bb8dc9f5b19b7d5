import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentResults } from './recent-results.js';
import { initBackend } from './backend.js';
import { fusedSetting, withFusedKernels } from './fused-kernels.js';
import { setPackedResponses } from './response-packing.js';

test('a result is computed once per inputs (key order aside), the oldest forgotten past the limit', () => {
  const recent = new RecentResults<number>(2);
  let computed = 0;
  const square = (x: number) => () => (computed++, x * x);
  assert.deepEqual(recent.get({ x: 3, scale: 1 }, square(3)), { value: 9, kept: false });
  assert.deepEqual(recent.get({ scale: 1, x: 3 }, square(3)), { value: 9, kept: true });
  recent.get({ x: 4 }, square(4));
  recent.get({ x: 5 }, square(5)); // {x: 3} is the oldest: forgotten
  assert.equal(recent.get({ x: 3, scale: 1 }, square(3)).kept, false);
  assert.equal(computed, 4);
});

test('an asynchronous result is kept once computed, and a failed one is not kept', async () => {
  const recent = new RecentResults<string>();
  await assert.rejects(
    recent.getAsync('a', () => Promise.reject(new Error('scorer failed'))),
    /scorer failed/,
  );
  assert.deepEqual(await recent.getAsync('a', async () => 'scores'), { value: 'scores', kept: false });
  assert.deepEqual(await recent.getAsync('a', async () => 'other'), { value: 'scores', kept: true });
});

test('a result computed with the fused kernels is computed again without them, and kept under each', async (t) => {
  await initBackend('wasm', () => {});
  const before = fusedSetting();
  if (before === 'off') return t.skip('the fused kernels are not available here: no other setting to switch to');
  const recent = new RecentResults<string>();
  recent.get('pairs', () => before);
  const off = withFusedKernels('off', () => recent.get('pairs', () => 'off'));
  assert.deepEqual(off, { value: 'off', kept: false });
  assert.deepEqual(
    recent.get('pairs', () => 'again'),
    { value: before, kept: true },
  );
});

test('a result computed with responses unpacked is computed again with them packed, and kept under each', (t) => {
  t.after(() => setPackedResponses(undefined));
  const recent = new RecentResults<string>();
  setPackedResponses(false);
  recent.get('pairs', () => 'a row each');
  setPackedResponses(true);
  assert.deepEqual(
    recent.get('pairs', () => 'packed'),
    { value: 'packed', kept: false },
  );
  assert.deepEqual(
    recent.get('pairs', () => 'again'),
    { value: 'packed', kept: true },
  );
  setPackedResponses(false);
  assert.deepEqual(
    recent.get('pairs', () => 'again'),
    { value: 'a row each', kept: true },
  );
});
