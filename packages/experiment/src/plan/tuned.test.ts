import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExperimentConfig } from './experiment-config.js';
import { planExperiment } from './plan.js';

const base = {
  name: 'tuned-test',
  seeds: [1],
  grid: { 'data.task': ['summarization', 'dialogue'] },
  data: { source: 'synthetic', task: 'summarization', sftExamples: 64, preferencePairs: 32, evalPrompts: 8 },
  sft: { steps: 2, batchSize: 8, warmupSteps: 1 },
  preference: { steps: 2, batchSize: 4, lr: 5e-4, warmupSteps: 1 },
  methods: [
    { name: 'dpo', loss: 'dpo' },
    { name: 'dpo-spo', loss: 'dpo', spo: { lambda: 0.5 } },
    { name: 'ipo', loss: 'ipo' },
  ],
};
const tuned = [{ where: { 'data.task': 'dialogue' }, loss: 'dpo', set: { 'params.beta': 0.3, lr: 0.001 } }];

test('tuned settings reach a base method and its +SPO twin on the matching data variant only', () => {
  const plan = planExperiment(parseExperimentConfig({ ...base, tuned }, 'test'), '/tmp/runs', 'cpu');
  const run = (name: string) => plan.runs.find((r) => r.name === name)!;
  for (const name of ['task=dialogue.dpo', 'task=dialogue.dpo-spo']) {
    assert.equal(run(name).method.params.beta, 0.3, name);
    assert.equal(run(name).method.lr, 0.001, name);
  }
  assert.equal(run('task=dialogue.dpo-spo').method.spo?.lambda, 0.5, 'SPO keeps its own settings');
  assert.equal(run('task=summarization.dpo').method.params.beta, 0.1);
  assert.equal(run('task=summarization.dpo').method.lr, undefined);
  assert.equal(run('task=dialogue.ipo').method.params.beta, 0.1, 'another loss is untouched');
  // the tuned values are in the training hash; without them the plan is as before
  const untuned = planExperiment(parseExperimentConfig(base, 'test'), '/tmp/runs', 'cpu');
  const hash = (p: typeof plan, name: string) => p.runs.find((r) => r.name === name)!.hashes.train;
  assert.notEqual(hash(plan, 'task=dialogue.dpo'), hash(untuned, 'task=dialogue.dpo'));
  assert.equal(hash(plan, 'task=summarization.dpo'), hash(untuned, 'task=summarization.dpo'));
});

test('tuned entries that cannot apply are errors naming the field', () => {
  const bad = (entries: unknown[]) => () => parseExperimentConfig({ ...base, tuned: entries }, 'exp.json');
  assert.throws(
    bad([{ where: { 'data.labelTemperature': 1 }, loss: 'dpo', set: { lr: 1 } }]),
    /tuned\.0\.where: matches no data variant of this experiment \(data.labelTemperature is 0.25\)/,
  );
  assert.throws(bad([{ loss: 'simpo', set: { lr: 1 } }]), /tuned\.0\.loss: no method uses the loss "simpo"/);
  assert.throws(bad([{ loss: 'dpo', set: { 'spo.lambda': 1 } }]), /tuned\.0\.set: tuned settings are the base/);
  assert.throws(
    bad([
      { loss: 'dpo', set: { lr: 0.001 } },
      { where: { 'data.task': 'dialogue' }, loss: 'dpo', set: { lr: 0.002 } },
    ]),
    /entries 0 and 1 both set "dpo"/,
  );
  assert.throws(bad([{ loss: 'dpo', set: { 'params.beta': -1 } }]), /tuned settings at task=summarization[\s\S]*beta/);
});

test("where matches data settings the grid does not sweep: a one-task experiment takes that task's entry", () => {
  const oneTask = {
    ...base,
    grid: undefined,
    tuned: [{ where: { 'data.task': 'summarization' }, loss: 'dpo', set: { lr: 0.002 } }],
  };
  const plan = planExperiment(parseExperimentConfig(oneTask, 'test'), '/tmp/runs', 'cpu');
  assert.deepEqual(
    plan.runs.map((r) => [r.name, r.method.lr]),
    [
      ['dpo', 0.002],
      ['dpo-spo', 0.002],
      ['ipo', undefined],
    ],
  );
});
