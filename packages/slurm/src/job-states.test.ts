// scontrol's one-line job records as Slurm 22.05 prints them (trimmed to the fields read), and the
// resources of a config's slurm section as sbatch options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobStates, resourceArgs, resourcesFor, SlurmConfigSchema } from './index.js';

const LINES = [
  'JobId=2 ArrayJobId=2 ArrayTaskId=1-2%1 ArrayTaskThrottle=1 JobName=wrap JobState=PENDING ' +
    'Reason=JobArrayTaskLimit Dependency=(null) ExitCode=0:0 NodeList=(null) StdOut=/tmp/slurm-2_4294967294.out',
  'JobId=3 ArrayJobId=2 ArrayTaskId=0 ArrayTaskThrottle=1 JobName=wrap JobState=COMPLETED Reason=None ' +
    'ExitCode=0:0 NodeList=localhost BatchHost=localhost StdOut=/tmp/slurm-2_0.out',
  'JobId=9 JobName=spo-quickstart-report JobState=CANCELLED Reason=DependencyNeverSatisfied ExitCode=0:0 ' +
    'NodeList=(null) StdOut=/runs/logs/report-9.out',
  '',
].join('\n');

test('job records: array tasks, the pending range of an array, a job cancelled by a failed dependency', () => {
  const [pending, task, report] = parseJobStates(LINES);
  assert.deepEqual(
    [pending.arrayJobId, pending.arrayTaskId, pending.state, pending.reason],
    ['2', '1-2%1', 'PENDING', 'JobArrayTaskLimit'],
  );
  assert.deepEqual([task.jobId, task.arrayTaskId, task.state, task.node], ['3', '0', 'COMPLETED', 'localhost']);
  assert.deepEqual(
    [report.jobId, report.arrayJobId, report.state, report.reason, report.stdout],
    ['9', undefined, 'CANCELLED', 'DependencyNeverSatisfied', '/runs/logs/report-9.out'],
  );
});

test('resources: the section with the stage overrides on top, as sbatch options; unknown fields named', () => {
  const config = SlurmConfigSchema.parse({
    partition: 'cpu',
    time: '2:00:00',
    cpusPerTask: 2,
    stages: { train: { partition: 'gpu', gres: 'gpu:1', mem: '16G' } },
  });
  assert.deepEqual(resourceArgs(resourcesFor(config, 'sft')), [
    '--partition=cpu',
    '--time=2:00:00',
    '--cpus-per-task=2',
  ]);
  assert.deepEqual(resourceArgs(resourcesFor(config, 'train')), [
    '--partition=gpu',
    '--time=2:00:00',
    '--cpus-per-task=2',
    '--mem=16G',
    '--gres=gpu:1',
  ]);
  assert.deepEqual(resourcesFor(undefined, 'train'), {});
  const bad = SlurmConfigSchema.safeParse({ stages: { train: { gpus: 1 } } });
  assert.ok(!bad.success && bad.error.issues.some((i) => i.path.join('.') === 'stages.train'));
});
