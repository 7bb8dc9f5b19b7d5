// Choose the TensorFlow.js backend once per process: the fastest that loads, unless one is asked for.
// Order: tfjs-node-gpu (CUDA) > webgpu (Dawn: Vulkan, Metal, D3D12; a hardware adapter only, unless
// asked for) > tfjs-node (native CPU) > wasm (XNNPACK, SIMD) > cpu (pure JS).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { enableFusedKernels } from './fused-kernels.js';
import { PACKED_RESPONSES_ENV, packedResponsesOn } from './response-packing.js';
import { enableNativeMatMul, type NativeBlas } from './native-matmul.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { describeAdapter, loadWebGpu, webGpuAdapter, type WebGpuAdapter } from './webgpu.js';

export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
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
  /** The native BLAS the products go to, when they do (wasm with @spo/native-matmul and OpenBLAS). */
  blas?: NativeBlas;
  /** True when the fused kernels run (wasm with @spo/native-kernels and $SPO_FUSED on). */
  fused?: boolean;
  /** What the norms, activations, softmaxes and log-probs run on: fused kernels, or composed ops and why. */
  ops?: string;
  /** Whether response passes pack a prompt's responses in shared rows ($SPO_PACKED_RESPONSES), on any backend. */
  packedResponses: boolean;
  /** The WebGPU adapter, on webgpu. */
  adapter?: WebGpuAdapter;
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

/** The name tfjs registers a backend under: tfjs-node-gpu registers itself as "tensorflow", like tfjs-node. */
function tfjsName(name: BackendName): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name;
}

async function tryLoad(name: BackendName, asked: boolean): Promise<string | undefined> {
  if (name === 'webgpu') return loadWebGpu(asked);
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
    registerWasmKernels();
  } else {
    // the cpu backend is registered by @tensorflow/tfjs itself
  }
  const ok = await tf.setBackend(tfjsName(name));
  if (!ok) return `tf.setBackend('${tfjsName(name)}') returned false`;
  await tf.ready();
  return undefined;
}

function parseRequest(value: string, source: string): BackendRequest {
  if (value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendRequest;
  throw new Error(`${source}: unknown backend "${value}"; use one of auto, ${BACKEND_NAMES.join(', ')}`);
}

/** The native BLAS serves the wasm backend only: tfjs-node has its own, and cpu is for checking numerics. */
function matmulFor(name: BackendName): { matmul: string; blas?: NativeBlas } {
  if (name === 'webgpu') return { matmul: `webgpu's own on ${describeAdapter(webGpuAdapter()!)}` };
  return name === 'wasm' ? enableNativeMatMul() : { matmul: `${name}'s own` };
}

/** The fused kernels serve the wasm backend only. */
function opsFor(name: BackendName): { fused: boolean; ops: string } {
  if (name !== 'wasm') return { fused: false, ops: `${name}'s own` };
  const { fused, detail } = enableFusedKernels();
  return { fused, ops: detail };
}

function started(name: BackendName, skipped: BackendInfo['skipped']): BackendInfo {
  return {
    name,
    skipped,
    ...matmulFor(name),
    ...opsFor(name),
    packedResponses: packedResponsesOn(),
    ...(name === 'webgpu' ? { adapter: webGpuAdapter() } : {}),
  };
}

/** The backend line's note of response packing, when it is off (on, the default, adds nothing). */
function packingNote(info: BackendInfo): string {
  return info.packedResponses ? '' : `; a row per response ($${PACKED_RESPONSES_ENV}=off)`;
}

/**
 * Select and initialise the backend. `request` (a CLI flag) wins over $SPO_BACKEND, which wins over 'auto'.
 * A backend that was asked for and fails is an error: we never run silently on a slower one.
 */
export async function initBackend(
  request?: BackendRequest,
  log: (line: string) => void = (l) => console.error(l),
): Promise<BackendInfo> {
  // a bad $SPO_PACKED_RESPONSES is an error here, before a backend's module is loaded and can bury it
  packedResponsesOn();
  const want =
    request ?? (process.env[BACKEND_ENV] ? parseRequest(process.env[BACKEND_ENV]!, `$${BACKEND_ENV}`) : 'auto');
  if (chosen) {
    if (want !== 'auto' && want !== chosen.name) {
      throw new Error(`backend ${chosen.name} is already running in this process; cannot switch to ${want}`);
    }
    return chosen;
  }
  if (want !== 'auto') {
    const reason = await tryLoad(want, true);
    if (reason)
      throw new Error(
        `backend ${want} was asked for and failed: ${reason}. Unset --backend/$${BACKEND_ENV} or pick another.`,
      );
    chosen = started(want, []);
    log(`[engine] backend: ${want} (asked for); matmul: ${chosen.matmul}; ops: ${chosen.ops}${packingNote(chosen)}`);
    return chosen;
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of BACKEND_NAMES) {
    const reason = await tryLoad(name, false);
    if (!reason) {
      chosen = started(name, skipped);
      const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
      log(
        `[engine] backend: ${name}${why ? ` (not used: ${why})` : ''}; ` +
          `matmul: ${chosen.matmul}; ops: ${chosen.ops}${packingNote(chosen)}`,
      );
      return chosen;
    }
    skipped.push({ name, reason });
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/**
 * Make `name` tfjs's current backend, loading it first if needed, or say why it cannot be. For
 * comparing numerics across backends in one process (tests); initBackend's choice is left as it was.
 */
export async function switchBackend(name: BackendName): Promise<string | undefined> {
  if (tf.findBackend(tfjsName(name)))
    return (await tf.setBackend(tfjsName(name))) ? undefined : `tf.setBackend('${tfjsName(name)}') returned false`;
  const reason = await tryLoad(name, true);
  if (!reason && name === 'wasm') {
    enableNativeMatMul();
    enableFusedKernels();
  }
  return reason;
}

/** The backend chosen by initBackend, or an error if it has not run. */
export function currentBackend(): BackendInfo {
  if (!chosen) throw new Error('initBackend() has not been called');
  return chosen;
}
