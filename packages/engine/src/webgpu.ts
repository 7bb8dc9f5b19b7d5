/// <reference types="@webgpu/types" />
// TensorFlow.js's WebGPU backend in Node, on Dawn's Node binding (the `webgpu` npm package: prebuilt
// dawn.node, nothing downloaded or compiled). Node has no navigator.gpu and no OffscreenCanvas, which
// the backend's synchronous reads (dataSync) go through: the globals come from `webgpu`, and readSync
// is replaced by a copy into a mappable buffer whose map is waited for by turning the event loop
// (@spo/native-loop). The adapter is described, and a software one (Mesa's lavapipe, SwiftShader) is
// named as such: it is a correctness path, not a GPU.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadNativeLoop } from '@spo/native-loop';

export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of the API (lavapipe, SwiftShader, WARP), not a GPU. */
  software: boolean;
  /** Optional features the adapter offers (shader-f16 among them where half precision is available). */
  features: string[];
}

const require = createRequire(import.meta.url);
let adapterInfo: WebGpuAdapter | undefined;

/** The adapter of the running webgpu backend. */
export function webGpuAdapter(): WebGpuAdapter | undefined {
  return adapterInfo;
}

export function describeAdapter(a: WebGpuAdapter): string {
  return (
    `${a.description || a.device || 'unnamed adapter'} (vendor ${a.vendor || '?'}` +
    (a.architecture ? `, ${a.architecture}` : '') +
    (a.software ? ', a software rasteriser on the CPU, not a GPU' : '') +
    ')'
  );
}

function isSoftware(
  info: { vendor?: string; architecture?: string; device?: string; description?: string },
  adapter: { isFallbackAdapter?: boolean },
): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return (
    adapter.isFallbackAdapter === true ||
    /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|warp/.test(text)
  );
}

/** Whether Linux's Vulkan loader can be found (true elsewhere: Dawn uses Metal or D3D12 there). */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (ldconfig.status === 0) return /\blibvulkan\.so\.1\b/.test(ldconfig.stdout) || inLibraryPath();
  return (
    inLibraryPath() ||
    ['/usr/lib', '/usr/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu'].some((dir) =>
      existsSync(join(dir, 'libvulkan.so.1')),
    )
  );
}

const inLibraryPath = () =>
  (process.env.LD_LIBRARY_PATH ?? '')
    .split(':')
    .filter(Boolean)
    .some((dir) => existsSync(join(dir, 'libvulkan.so.1')));

/**
 * Set up WebGPU and tfjs's webgpu backend, or say why not. `allowSoftware` false refuses a software
 * adapter (automatic selection), so a CPU Vulkan driver is never mistaken for a GPU.
 */
export async function loadWebGpu(allowSoftware: boolean): Promise<string | undefined> {
  if (adapterInfo) return (await tf.setBackend('webgpu')) ? undefined : "tf.setBackend('webgpu') returned false";
  const loop = loadNativeLoop();
  if (!loop.available) return loop.reason;
  let dawn: { create(options: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = require('webgpu');
  } catch (error) {
    return `the webgpu package (Dawn) is not installed or did not load: ${(error as Error).message.split('\n')[0]}`;
  }
  if (!vulkanLoaderPresent()) {
    // without the loader Dawn prints a warning with its build path to stderr on every probe
    return (
      'no Vulkan loader (libvulkan.so.1) on this machine: on Linux WebGPU runs on Vulkan ' +
      "(libvulkan1 with the GPU vendor's Vulkan driver, or Mesa ≥ 23 for lavapipe)"
    );
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    return (
      'Dawn found no WebGPU adapter (no Vulkan, Metal or D3D12 driver: ' +
      "on Linux, the GPU vendor's Vulkan ICD, or Mesa ≥ 23 for lavapipe)"
    );
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info ?? ({} as GPUAdapterInfo);
  const described: WebGpuAdapter = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: isSoftware(info, adapter as unknown as { isFallbackAdapter?: boolean }),
    features: [...adapter.features].map(String).sort(),
  };
  if (described.software && !allowSoftware)
    return `the only adapter is ${describeAdapter(described)}; ask for it with --backend webgpu`;
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  // tfjs asks navigator.gpu for the adapter itself; make it the one described above
  if (!(await tf.setBackend('webgpu'))) return "tf.setBackend('webgpu') returned false";
  await tf.ready();
  if (tf.getBackend() !== 'webgpu') return `tfjs stayed on ${tf.getBackend()}`;
  patchReadSync(tf.backend() as unknown as WebGpuBackendInternals, loop.runOnce);
  chunkAddN((tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBuffersPerShaderStage);
  adapterInfo = described;
  return undefined;
}

/**
 * tfjs's webgpu AddN binds every input as a storage buffer, and a device offers as few as 8 per shader
 * stage: the global-norm clip sums one square per parameter (29 for a 2-layer model). Sum in chunks
 * that fit, then sum the partial sums.
 */
function chunkAddN(maxStorageBuffers: number): void {
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original || (original.kernelFunc as { chunked?: boolean }).chunked) return;
  const width = Math.max(2, maxStorageBuffers - 1);
  const kernelFunc = (({
    inputs,
    backend,
    attrs,
  }: {
    inputs: tf.NamedTensorInfoMap;
    backend: tf.KernelBackend;
    attrs?: tf.NamedAttrMap;
  }) => {
    // AddN's inputs are an array of tensors (its kernels call inputs.map)
    let parts = inputs as unknown as tf.TensorInfo[];
    const partials: tf.TensorInfo[] = [];
    while (parts.length > width) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < parts.length; i += width) {
        const chunk = parts.slice(i, i + width);
        const sum =
          chunk.length === 1
            ? chunk[0]
            : (original.kernelFunc({
                inputs: chunk as unknown as tf.NamedTensorInfoMap,
                backend,
                attrs,
              }) as tf.TensorInfo);
        if (chunk.length > 1) partials.push(sum);
        next.push(sum);
      }
      parts = next;
    }
    const out = original.kernelFunc({
      inputs: parts as unknown as tf.NamedTensorInfoMap,
      backend,
      attrs,
    }) as tf.TensorInfo;
    for (const t of partials) backend.disposeData(t.dataId);
    return out;
  }) as tf.KernelFunc & { chunked?: boolean };
  kernelFunc.chunked = true;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc });
}

/** The parts of tfjs's WebGPUBackend the synchronous read uses. */
interface WebGpuBackendInternals {
  tensorMap: { get(dataId: object): { values?: tf.backend_util.BackendValues; dtype: string; resource: GPUBuffer } };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer; releaseBuffer(buffer: GPUBuffer): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  commandEncoder: GPUCommandEncoder;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): void;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

function patchReadSync(backend: WebGpuBackendInternals, runOnce: () => boolean): void {
  backend.readSync = function readSync(dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values!;
    if (data.dtype === 'complex64') throw new Error('webgpu: synchronous reads of complex64 tensors are not supported');
    const source = data.resource,
      size = source.size;
    const staging = this.bufferManager.acquireBuffer(size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    this.commandEncoder.copyBufferToBuffer(source, 0, staging, 0, size);
    this.submitQueue();
    let failure: unknown;
    staging.mapAsync(GPUMapMode.READ).catch((error: unknown) => (failure = error));
    while (staging.mapState === 'pending' && failure === undefined) runOnce();
    if (staging.mapState !== 'mapped')
      throw new Error(`webgpu: reading a tensor back failed (${failure ?? staging.mapState})`);
    const raw = staging.getMappedRange().slice(0);
    staging.unmap();
    this.bufferManager.releaseBuffer(staging);
    const values = tf.util.convertBackendValuesAndArrayBuffer(raw, data.dtype as tf.DataType);
    this.convertAndCacheOnCPU(dataId, values);
    return values;
  };
}
