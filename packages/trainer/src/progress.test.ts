import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLines } from './progress.js';

test('off a terminal, progress is a line every 5 s of training, with time left, and the last step always', () => {
  let clock = 0;
  const lines: string[] = [];
  const progress = progressLines(
    'dpo',
    10,
    0,
    () => clock,
    (text) => lines.push(text),
  );
  for (let step = 1; step <= 10; step++) {
    clock = step * 2000; // 2 s per step
    progress.update(step, { loss: 0.5, tokensPerSecond: 100 });
  }
  progress.stop();
  assert.deepEqual(lines, [
    'dpo step 3/10 | loss 0.5000 | 100 tok/s | 14s left\n',
    'dpo step 6/10 | loss 0.5000 | 100 tok/s | 8s left\n',
    'dpo step 9/10 | loss 0.5000 | 100 tok/s | 2s left\n',
    'dpo step 10/10 | loss 0.5000 | 100 tok/s | 0s left\n',
  ]);
});

test('a run stopped between lines prints where it stopped', () => {
  let clock = 0;
  const lines: string[] = [];
  const progress = progressLines(
    'sft',
    100,
    40,
    () => clock,
    (text) => lines.push(text),
  );
  clock = 1000;
  progress.update(41, { loss: 2, tokensPerSecond: 10 });
  progress.stop();
  assert.deepEqual(lines, ['sft step 41/100 | loss 2.0000 | 10 tok/s | 59s left\n']);
});
