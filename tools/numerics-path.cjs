// Prints what an experiment's numbers will be computed on, for Nx to hash as a runtime input of every
// training target: the backend asked for ($SPO_BACKEND), whether the native matmul addon is built,
// which BLAS it would open ($SPO_NATIVE_MATMUL, else the first OpenBLAS the loader finds) and what picks
// its kernels, and whether responses are packed ($SPO_PACKED_RESPONSES, on unless "off"). A run on another
// backend or matmul path gives other numbers: never served from the cache.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const addonDir = join(root, 'packages/native-matmul/build/Release');
const built = (dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.node'));
const addon = built(addonDir);
const kernels = built(join(root, 'packages/native-kernels/build/Release'));
let blas = process.env.SPO_NATIVE_MATMUL ?? '';
if (!blas) {
  try {
    blas = (execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(
      /libopenblas[^\s]*\.so[^\s]*/,
    ) ?? ['none'])[0];
  } catch {
    blas =
      ['/opt/homebrew/opt/openblas/lib/libopenblas.dylib', '/usr/local/opt/openblas/lib/libopenblas.dylib'].find((p) =>
        existsSync(p),
      ) ?? 'none';
  }
}
// one BLAS thread rounds some products differently from several (packages/native-matmul/src/index.ts)
const threads = process.env.OPENBLAS_NUM_THREADS
  ? Number(process.env.OPENBLAS_NUM_THREADS)
  : require('node:os').availableParallelism();
// OpenBLAS's kernels, picked by the processor unless $OPENBLAS_CORETYPE names them, round differently from
// one another: the processor and that setting are inputs too (packages/native-matmul pins Haswell's on
// x86-64 with AVX2 and FMA when it is unset)
const cpu = require('node:os').cpus()[0]?.model ?? 'unknown cpu';
console.log(
  `backend=${process.env.SPO_BACKEND ?? 'auto'} addon=${addon ? 'built' : 'absent'} blas=${blas}` +
    (threads === 1 ? ' blas-threads=1' : '') +
    ` coretype=${process.env.OPENBLAS_CORETYPE ?? 'default'} cpu=${JSON.stringify(cpu)}` +
    // the fused kernels (packages/native-kernels) round differently from the composed ops
    ` fused=${process.env.SPO_FUSED ?? 'default'} kernels=${kernels ? 'built' : 'absent'}` +
    // packed responses (packages/engine/src/response-packing.ts) are shaped, so round, differently
    ` packed-responses=${process.env.SPO_PACKED_RESPONSES === 'off' ? 'off' : 'on'}`,
);
