// The command a report gives for computing it again: the experiment's Nx `report` target when Nx started
// us, else `spo run` with the same config and overrides; in front of either, the settings that put this
// run on a numerics path other than the default one (a backend asked for, the composed ops, a row per
// response), without which the command would compute other numbers.
import { BACKEND_ENV, FUSED_ENV, PACKED_RESPONSES_ENV, type BackendInfo, type BackendRequest } from '@spo/engine';
import type { Override } from '@spo/experiment';

export function reproduceCommand(
  o: { config: string; set: Override[]; backend?: BackendRequest },
  backend: Pick<BackendInfo, 'name' | 'packedResponses'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const asked = o.backend ?? env[BACKEND_ENV];
  const settings = [
    ...(asked && asked !== 'auto' ? [`${BACKEND_ENV}=${backend.name}`] : []),
    // "ops" computes what "on" does, bit for bit; only "off" is a path of its own
    ...(env[FUSED_ENV] === 'off' ? [`${FUSED_ENV}=off`] : []),
    ...(backend.packedResponses ? [] : [`${PACKED_RESPONSES_ENV}=off`]),
  ];
  const project = env.NX_TASK_TARGET_PROJECT;
  const sets = o.set.map((x) => ` --set ${x.path}=${JSON.stringify(x.value)}`).join('');
  const command = project ? `nx run ${project}:report` : `spo run --config ${o.config}${sets}`;
  return [...settings, command].join(' ');
}
