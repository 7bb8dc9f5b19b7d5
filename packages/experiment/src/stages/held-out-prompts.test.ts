import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PreparedDataset } from '@spo/data';
import { heldOutPairs, heldOutPrompts } from './held-out-prompts.js';

const pair = (prompt: string, context: unknown) => ({ prompt, chosen: 'a', rejected: 'b', context });
const ds = {
  eval: [{ prompt: 'test 1', context: 1 }],
  validation: [pair('v1', 'c1'), pair('v2', 'c2'), pair('v1', 'c1')],
  test: [pair('test 1', 1)],
} as unknown as PreparedDataset;

test("held-out prompts: the test prompts by default; every validation pair's prompt, with its oracle context", () => {
  assert.deepEqual(heldOutPrompts(ds), ds.eval);
  assert.deepEqual(heldOutPrompts(ds, 'validation'), [
    { prompt: 'v1', context: 'c1' },
    { prompt: 'v2', context: 'c2' },
    { prompt: 'v1', context: 'c1' },
  ]);
  assert.equal(heldOutPairs(ds, 'validation'), ds.validation);
  assert.equal(heldOutPairs(ds, 'test'), ds.test);
  assert.throws(
    () => heldOutPrompts({ ...ds, validation: [] } as PreparedDataset, 'validation'),
    /no validation pairs \(raise data.validationPairs\)/,
  );
});
