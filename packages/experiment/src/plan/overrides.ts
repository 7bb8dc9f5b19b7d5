// `--set key=value`: a config field overridden from the command line, as TRL's and LLaMA-Factory's
// users expect. The key is a dotted path ("preference.steps", "methods.0.spo.lambda"); the value is
// read as JSON when it parses (numbers, booleans, lists, objects) and as a string otherwise.
import { getAtPath, setAtPath } from './grid.js';

export interface Override {
  path: string;
  value: unknown;
}

export function parseOverride(text: string): Override {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`--set ${text}: expected key=value, e.g. --set preference.steps=200`);
  const path = text.slice(0, at).trim(),
    raw = text.slice(at + 1);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path))
    throw new Error(`--set ${text}: "${path}" is not a dotted config path`);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare word: the string itself
  }
  return { path, value };
}

/** The raw config with each override applied; list indices in a path ("methods.0") address list items. */
export function applyOverrides(raw: unknown, overrides: readonly Override[]): unknown {
  let out = raw;
  for (const { path, value } of overrides) {
    const keys = path.split('.');
    // walk lists by index, objects by key: setAtPath handles objects, lists are handled here
    const listAt = keys.findIndex(
      (_, i) => Array.isArray(getAtPath(out, keys.slice(0, i).join('.'))) && /^\d+$/.test(keys[i]),
    );
    if (listAt < 0) {
      out = setAtPath(out, path, value);
      continue;
    }
    const list = structuredClone(getAtPath(out, keys.slice(0, listAt).join('.'))) as unknown[];
    const index = Number(keys[listAt]);
    if (index >= list.length)
      throw new Error(`--set ${path}: ${keys.slice(0, listAt).join('.')} has ${list.length} items`);
    const rest = keys.slice(listAt + 1).join('.');
    list[index] = rest ? applyOverrides(list[index], [{ path: rest, value }]) : value;
    out = listAt === 0 ? list : setAtPath(out, keys.slice(0, listAt).join('.'), list);
  }
  return out;
}
