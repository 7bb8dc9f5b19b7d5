// The optional native matrix product: the addon node-gyp built at install (build/Release) and the
// machine's BLAS, opened at run time. Either can be missing; loadNativeMatMul then says which, and the
// engine keeps the WASM backend's own matmul.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** "off" disables the native matmul; a file path picks the BLAS library (any with cblas_sgemm). */
export const NATIVE_MATMUL_ENV = 'SPO_NATIVE_MATMUL';

/** Where OpenBLAS is found: Debian/Ubuntu's libopenblas0(-pthread), Fedora's openblas, Homebrew's. */
const BLAS_CANDIDATES = [
  'libopenblas.so.0',
  'libopenblas.so',
  'libopenblasp.so.0',
  '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
  '/usr/local/opt/openblas/lib/libopenblas.dylib',
];

/**
 * The OpenBLAS kernel set used unless $OPENBLAS_CORETYPE names one. OpenBLAS picks its kernels by the
 * processor, and kernels round differently: the committed quickstart report is reproduced exactly with
 * Haswell's kernels and not with SkylakeX's, which OpenBLAS picks on an AVX-512 machine. Haswell's run
 * on every x86-64 processor with AVX2 and FMA, so that is the default there; elsewhere OpenBLAS chooses.
 */
export const PORTABLE_CORETYPE = 'Haswell';

const ADDON_PATH = fileURLToPath(new URL('../build/Release/spo_native_matmul.node', import.meta.url));

interface Addon {
  /** Returns the kernel set the library runs (OpenBLAS's core name), or "" when it does not say. */
  load(library: string, threads: number): string;
  gemm(
    heap: ArrayBuffer,
    offsetA: number,
    offsetB: number,
    offsetC: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
}

export interface NativeMatMul {
  /** The BLAS library in use. */
  library: string;
  /**
   * The kernel set it runs ("Haswell", "SkylakeX"; "" when the library does not say): part of the
   * numerics path, since each set rounds some products its own way.
   */
  core: string;
  /**
   * Threads the BLAS runs (0: unknown). One thread gives other roundings than several in some products
   * (measured: an SFT run's weights differ at 1 thread and agree at 2, 3 and 4), so it is part of the
   * numerics path.
   */
  threads: number;
  /**
   * For each of `batch` row-major matrices at byte offsets into `heap`: C [m, n] = op(A) op(B), where
   * A is [m, k] ([k, m] when transposeA) and B is [k, n] ([n, k] when transposeB). Throws, touching
   * nothing, when an operand would lie outside `heap`.
   */
  gemm: Addon['gemm'];
}

export type NativeMatMulStatus = { available: true; matmul: NativeMatMul } | { available: false; reason: string };

let status: NativeMatMulStatus | undefined;

/** The native matmul for this process's environment, loaded once. */
export function loadNativeMatMul(): NativeMatMulStatus {
  return (status ??= probeNativeMatMul(process.env));
}

/** Load the addon and a BLAS as `env` asks, or say why not. Loading a BLAS replaces the one in use. */
export function probeNativeMatMul(env: NodeJS.ProcessEnv): NativeMatMulStatus {
  const setting = env[NATIVE_MATMUL_ENV];
  if (setting === 'off') return { available: false, reason: `$${NATIVE_MATMUL_ENV}=off` };
  if (!existsSync(ADDON_PATH)) {
    return {
      available: false,
      reason:
        `the addon was not built at install (${ADDON_PATH} is missing; ` +
        `it needs a C++ compiler: run npm rebuild @spo/native-matmul)`,
    };
  }
  const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  // OpenBLAS reads its kernel choice from the process's environment when it is opened
  if (!env.OPENBLAS_CORETYPE && portableCoreRuns()) process.env.OPENBLAS_CORETYPE = PORTABLE_CORETYPE;
  const tried: string[] = [];
  for (const library of setting ? [setting] : BLAS_CANDIDATES) {
    try {
      // every core unless the user set OpenBLAS's own thread count (0 leaves OpenBLAS's choice alone)
      const core = addon.load(library, env.OPENBLAS_NUM_THREADS ? 0 : availableParallelism());
      const threads = env.OPENBLAS_NUM_THREADS ? Number(env.OPENBLAS_NUM_THREADS) || 0 : availableParallelism();
      return { available: true, matmul: { library, core, threads, gemm: addon.gemm } };
    } catch (error) {
      tried.push((error as Error).message);
    }
  }
  const hint = setting
    ? `$${NATIVE_MATMUL_ENV}=${setting} is not a usable BLAS`
    : 'no OpenBLAS found (Debian/Ubuntu: apt install libopenblas0-pthread)';
  return { available: false, reason: `${hint}: ${tried.join('; ')}` };
}

/** True on an x86-64 Linux processor with AVX2 and FMA, where OpenBLAS's Haswell kernels run. */
function portableCoreRuns(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  try {
    const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? [];
    return flags.includes('avx2') && flags.includes('fma');
  } catch {
    return false;
  }
}
