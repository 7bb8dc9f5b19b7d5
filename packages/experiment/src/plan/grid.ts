// Sweeps: a grid maps setting paths to the values to try. An object is one sweep, its keys crossed
// (every combination); a list of objects is several sweeps, one after another (one-factor-at-a-time
// ablations). Each point of a sweep is a set of values to write into a config at their dotted paths.
import { z } from 'zod';

const SETTING_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/;

const SweepSchema = z.record(
  z.string().regex(SETTING_PATH, 'a dotted setting path, e.g. "spo.lambda" or "data.labelTemperature"'),
  z.array(z.union([z.string(), z.number(), z.boolean()])).min(1, 'list at least one value'),
);

export const GridSchema = z.union([SweepSchema, z.array(SweepSchema).min(1)]);
export type Grid = z.infer<typeof GridSchema>;

export interface GridPoint {
  /** The sweep the point belongs to: its keys joined by " x " ("" without a grid). */
  sweep: string;
  /** Setting path -> value. */
  values: Record<string, string | number | boolean>;
}

/** Every point of every sweep, in order; a config without a grid has one empty point. */
export function gridPoints(grid: Grid | undefined): GridPoint[] {
  if (!grid) return [{ sweep: '', values: {} }];
  const sweeps = Array.isArray(grid) ? grid : [grid];
  return sweeps.flatMap((sweep) => {
    const keys = Object.keys(sweep);
    let points: Record<string, string | number | boolean>[] = [{}];
    for (const key of keys) points = points.flatMap((p) => sweep[key].map((v) => ({ ...p, [key]: v })));
    return points.map((values) => ({ sweep: keys.join(' x '), values }));
  });
}

/** A copy of `target` with `value` at the dotted `path` (objects made on the way as needed). */
export function setAtPath<T>(target: T, path: string, value: unknown): T {
  const copy = structuredClone(target) as Record<string, unknown>;
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === undefined) at[key] = {};
    if (typeof at[key] !== 'object' || at[key] === null || Array.isArray(at[key]))
      throw new Error(`cannot set "${path}": "${key}" is not an object`);
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
  return copy as T;
}

/** The value at a dotted path, or undefined. */
export function getAtPath(source: unknown, path: string): unknown {
  if (path === '') return source;
  let at = source;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** "lambda=0.5.degrees=2": each value under the last segment of its path (the whole path where two share one). */
export function pointLabel(values: Record<string, unknown>): string {
  const keys = Object.keys(values);
  const short = (k: string) => k.split('.').at(-1)!;
  return keys
    .map((k) => `${keys.filter((o) => short(o) === short(k)).length > 1 ? k : short(k)}=${values[k]}`)
    .join('.');
}
