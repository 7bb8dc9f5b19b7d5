import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reproduceCommand } from './reproduce-command.js';

const wasm = { name: 'wasm' as const, packedResponses: true };
const cpu = { name: 'cpu' as const, packedResponses: true };

test("a report's command: the Nx target or spo run, with the settings that change its numerics in front", () => {
  const o = { config: 'experiments/quickstart/config.json', set: [{ path: 'seeds', value: [1, 2] }] };
  // the default path: the command alone
  assert.equal(reproduceCommand(o, wasm, {}), 'spo run --config experiments/quickstart/config.json --set seeds=[1,2]');
  assert.equal(reproduceCommand(o, wasm, { NX_TASK_TARGET_PROJECT: 'quickstart' }), 'nx run quickstart:report');
  // "ops" and "on" compute the same numbers; auto is the default
  assert.equal(
    reproduceCommand(o, wasm, { NX_TASK_TARGET_PROJECT: 'quickstart', SPO_FUSED: 'ops' }),
    'nx run quickstart:report',
  );
  assert.equal(reproduceCommand({ ...o, backend: 'auto' }, wasm, { NX_TASK_TARGET_PROJECT: 'q' }), 'nx run q:report');
  // another path: its settings first (packed responses are the default and add nothing)
  assert.equal(
    reproduceCommand(o, wasm, { NX_TASK_TARGET_PROJECT: 'quickstart', SPO_FUSED: 'off' }),
    'SPO_FUSED=off nx run quickstart:report',
  );
  assert.equal(
    reproduceCommand(
      o,
      { ...wasm, packedResponses: false },
      { NX_TASK_TARGET_PROJECT: 'quickstart', SPO_FUSED: 'off' },
    ),
    'SPO_FUSED=off SPO_PACKED_RESPONSES=off nx run quickstart:report',
  );
  assert.equal(
    reproduceCommand({ ...o, backend: 'cpu' }, cpu, {}),
    'SPO_BACKEND=cpu spo run --config experiments/quickstart/config.json --set seeds=[1,2]',
  );
  assert.equal(
    reproduceCommand(o, cpu, { SPO_BACKEND: 'cpu', NX_TASK_TARGET_PROJECT: 'q' }),
    'SPO_BACKEND=cpu nx run q:report',
  );
});
