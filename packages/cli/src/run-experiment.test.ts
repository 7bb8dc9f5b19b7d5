// How many worker processes `spo run` starts, and how many BLAS threads each gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultJobs, jobsToRun } from './run-experiment.js';
import { blasThreadsPerWorker } from './stage-workers.js';

const GiB = 2 ** 30;

test('the default is one worker per core, at most one per 2 GiB, at least one', () => {
  assert.equal(defaultJobs(2, 24 * GiB), 2);
  assert.equal(defaultJobs(16, 128 * GiB), 16);
  assert.equal(defaultJobs(16, 8 * GiB), 4, 'memory caps it');
  assert.equal(defaultJobs(1, 1 * GiB), 1);
});

test('--jobs wins over $SPO_JOBS, which wins over the default; a bad $SPO_JOBS names itself', () => {
  assert.equal(jobsToRun(2, '5'), 2);
  assert.equal(jobsToRun(undefined, '5'), 5);
  assert.equal(jobsToRun(undefined, undefined), defaultJobs());
  assert.throws(() => jobsToRun(undefined, 'two'), /SPO_JOBS must be a whole number ≥ 1.*"two"/);
  assert.throws(() => jobsToRun(undefined, '0'), /SPO_JOBS/);
});

test('each worker gets the cores shared out, never one BLAS thread on a multi-core machine', () => {
  assert.equal(blasThreadsPerWorker(3, 2), 2, 'one thread would be another numerics path');
  assert.equal(blasThreadsPerWorker(4, 16), 4);
  assert.equal(blasThreadsPerWorker(24, 16), 2);
  assert.equal(blasThreadsPerWorker(2, 1), 1, 'a one-core machine is one thread anyway');
});
