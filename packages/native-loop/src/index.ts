// The optional event-loop turn: the addon node-gyp built at install (build/Release). Missing, it says
// why, and the engine does not offer the webgpu backend (whose synchronous reads need it in Node).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ADDON_PATH = fileURLToPath(new URL('../build/Release/spo_native_loop.node', import.meta.url));

export type NativeLoopStatus = { available: true; runOnce: () => boolean } | { available: false; reason: string };

let status: NativeLoopStatus | undefined;

export function loadNativeLoop(): NativeLoopStatus {
  if (status) return status;
  if (!existsSync(ADDON_PATH))
    return (status = {
      available: false,
      reason:
        `@spo/native-loop was not built at install ` +
        `(${ADDON_PATH} is missing; it needs a C++ compiler: run npm rebuild @spo/native-loop)`,
    });
  const addon = createRequire(import.meta.url)(ADDON_PATH) as { runOnce(): boolean };
  return (status = { available: true, runOnce: () => addon.runOnce() });
}
