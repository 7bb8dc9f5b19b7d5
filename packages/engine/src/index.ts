export * as tf from '@tensorflow/tfjs';
export { initBackend, currentBackend, switchBackend, BACKEND_NAMES, BACKEND_ENV } from './backend.js';
export type { BackendName, BackendRequest, BackendInfo } from './backend.js';
export { webGpuAdapter, describeAdapter } from './webgpu.js';
export type { WebGpuAdapter } from './webgpu.js';
export { Rng } from './random.js';
export type { RngState } from './random.js';
export {
  writeFileAtomic,
  writeJsonAtomic,
  writeDirAtomic,
  appendToFile,
  writeError,
  removeStaleTemporaries,
  processAlive,
  processStartTime,
} from './atomic-write.js';
export { writeChecksums, checksumProblems, readJsonFile, sha256File, CHECKSUMS_FILE } from './file-integrity.js';
export { parseJsonText, jsonSyntaxError } from './json-text.js';
export { canonicalJson, configHash } from './config-hash.js';
export { RecentResults } from './recent-results.js';
export { encodeSafetensors, decodeSafetensors, readSafetensors, writeSafetensors } from './safetensors.js';
export type { NamedArray, TensorMap } from './safetensors.js';
export {
  matMul2d,
  matMulTransposedRight,
  linear,
  layerNorm,
  batchMatMul,
  batchMatMulTransposed,
  embeddingLookup,
  logSigmoid,
  takeAlongLastAxis,
  stopGradient,
  geluTanh,
  rmsNorm,
  silu,
  swiglu,
  maskedSoftmax,
  targetLogProbs,
  rowSelector,
  rowCombination,
  isFrozen,
} from './ops.js';
export { numericGradient } from './finite-difference.js';
export { WASM_HEAP_LIMIT_BYTES, wasmHeapBytes, isOutOfMemory } from './wasm-memory.js';
export { nativeMatMulOn, setNativeMatMul } from './native-matmul.js';
export {
  FUSED_ENV,
  FUSED_DEFAULT,
  fusedKernelsOn,
  fusedBlocksOn,
  fusedBlocksUnavailable,
  fusedOptimizerOn,
  fusedSetting,
  setFusedKernels,
  withFusedKernels,
  takeFusedBlasStats,
} from './fused-kernels.js';
export type { FusedSetting } from './fused-kernels.js';
export { fusedGpt2Block, GPT2_BLOCK_PARAMS } from './fused-block.js';
export {
  PACKED_RESPONSES_ENV,
  packResponses,
  packedResponsesOn,
  setPackedResponses,
  type PackedRow,
  type PackedSegment,
} from './response-packing.js';
export { gradientNorm, scaleGradients, adamWUpdate } from './optimizer-ops.js';
export type { AdamWStep, AdamWParameter } from './optimizer-ops.js';
export type { Gpt2BlockParam } from './fused-block.js';
