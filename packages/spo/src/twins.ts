// Every method has a "+SPO" twin: the same loss and settings with an `spo` block added. A +SPO run is
// compared with its base run, paired on the same data, seeds and prompts; this key is what they share.
import { canonicalJson } from '@spo/engine';

/** The settings that make a method what it is, apart from its name and SPO: equal for a +SPO method and its base. */
export function baseMethodKey(method: { name: string; spo?: unknown }): string {
  const { name: _name, spo: _spo, ...rest } = method;
  return canonicalJson(rest);
}
