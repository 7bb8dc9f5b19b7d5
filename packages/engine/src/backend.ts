// Choose the TensorFlow.js backend once per process: the fastest that loads, unless one is asked for.
// Order: tfjs-node-gpu (CUDA) > tfjs-node (native CPU) > wasm (XNNPACK, SIMD) > cpu (pure JS).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { enableNativeMatMul } from './native-matmul.js';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = BackendName | 'auto';

/** Environment variable that picks a backend when no flag does. */
export const BACKEND_ENV = 'SPO_BACKEND';

export interface BackendInfo {
  name: BackendName;
  /** Why each better backend was not used (empty when the best one loaded or one was asked for). */
  skipped: { name: BackendName; reason: string }[];
  /** What matrix products run on: the backend's own kernels, or on wasm the native BLAS when it loads. */
  matmul: string;
}

const require = createRequire(import.meta.url);
let chosen: BackendInfo | undefined;

/** The native addons of tfjs-node(-gpu) are present only when their install step could download libtensorflow. */
function nativeAddonReason(pkg: string): string | undefined {
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} is not installed (optional dependency; its install needs libtensorflow from the internet)`;
  }
  const addon = join(dirname(pkgJson), 'lib', 'napi-v8', 'tfjs_binding.node');
  if (!existsSync(addon)) return `${pkg} is installed without its native addon (${addon} missing)`;
  return undefined;
}

async function tryLoad(name: BackendName): Promise<string | undefined> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    const missing = nativeAddonReason(pkg);
    if (missing) return missing;
    try {
      require(pkg);
    } catch (error) {
      return `${pkg} failed to load: ${(error as Error).message.split('\n')[0]}`;
    }
  } else if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
  } else {
    // the cpu backend is registered by @tensorflow/tfjs itself
  }
  const ok = await tf.setBackend(name);
  if (!ok) return `tf.setBackend('${name}') returned false`;
  await tf.ready();
  return undefined;
}

function parseRequest(value: string, source: string): BackendRequest {
  if (value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendRequest;
  throw new Error(`${source}: unknown backend "${value}"; use one of auto, ${BACKEND_NAMES.join(', ')}`);
}

/** The native BLAS serves the wasm backend only: tfjs-node has its own, and cpu is for checking numerics. */
function matmulFor(name: BackendName): string {
  return name === 'wasm' ? enableNativeMatMul() : `${name}'s own`;
}

/**
 * Select and initialise the backend. `request` (a CLI flag) wins over $SPO_BACKEND, which wins over 'auto'.
 * A backend that was asked for and fails is an error: we never run silently on a slower one.
 */
export async function initBackend(request?: BackendRequest, log: (line: string) => void = (l) => console.error(l)): Promise<BackendInfo> {
  const want = request ?? (process.env[BACKEND_ENV] ? parseRequest(process.env[BACKEND_ENV]!, `$${BACKEND_ENV}`) : 'auto');
  if (chosen) {
    if (want !== 'auto' && want !== chosen.name) {
      throw new Error(`backend ${chosen.name} is already running in this process; cannot switch to ${want}`);
    }
    return chosen;
  }
  if (want !== 'auto') {
    const reason = await tryLoad(want);
    if (reason) throw new Error(`backend ${want} was asked for and failed: ${reason}. Unset --backend/$${BACKEND_ENV} or pick another.`);
    chosen = { name: want, skipped: [], matmul: matmulFor(want) };
    log(`[engine] backend: ${want} (asked for); matmul: ${chosen.matmul}`);
    return chosen;
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of BACKEND_NAMES) {
    const reason = await tryLoad(name);
    if (!reason) {
      chosen = { name, skipped, matmul: matmulFor(name) };
      const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
      log(`[engine] backend: ${name}${why ? ` (not used: ${why})` : ''}; matmul: ${chosen.matmul}`);
      return chosen;
    }
    skipped.push({ name, reason });
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** The backend chosen by initBackend, or an error if it has not run. */
export function currentBackend(): BackendInfo {
  if (!chosen) throw new Error('initBackend() has not been called');
  return chosen;
}
