import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadNativeMatMul, probeNativeMatMul, PORTABLE_CORETYPE } from './index.js';

const status = loadNativeMatMul();
const skip = status.available ? false : `native matmul unavailable: ${status.reason}`;
if (skip) console.error(`[native-matmul.test] skipped: ${skip}`);

/** Row-major op(A) op(B) by the textbook triple loop. */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (ta ? a[t * m + i] : a[i * k + t]) * (tb ? b[j * k + t] : b[t * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

test('gemm equals the triple loop for every transpose pair, batched, in place at offsets', { skip }, () => {
  if (!status.available) return;
  const [batch, m, n, k] = [3, 5, 7, 4];
  let seed = 1;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      const heap = new ArrayBuffer(4096);
      const [offA, offB, offC] = [16, 16 + 4 * batch * m * k, 16 + 4 * batch * (m * k + k * n)];
      const a = new Float32Array(heap, offA, batch * m * k),
        b = new Float32Array(heap, offB, batch * k * n),
        c = new Float32Array(heap, offC, batch * m * n);
      a.forEach((_, i) => (a[i] = random()));
      b.forEach((_, i) => (b[i] = random()));
      status.matmul.gemm(heap, offA, offB, offC, batch, m, n, k, ta, tb);
      for (let g = 0; g < batch; g++) {
        const want = reference(
          a.subarray(g * m * k, (g + 1) * m * k),
          b.subarray(g * k * n, (g + 1) * k * n),
          m,
          n,
          k,
          ta,
          tb,
        );
        const got = c.subarray(g * m * n, (g + 1) * m * n);
        want.forEach((w, i) =>
          assert.ok(Math.abs(got[i] - w) < 1e-5, `ta ${ta} tb ${tb} batch ${g} index ${i}: ${got[i]} vs ${w}`),
        );
      }
    }
});

test('gemm refuses operands outside the buffer and leaves it untouched', { skip }, () => {
  if (!status.available) return;
  const heap = new ArrayBuffer(64);
  new Float32Array(heap).fill(7);
  assert.throws(() => status.matmul.gemm(heap, 0, 0, 32, 1, 4, 4, 4, false, false), /operand 2 lies outside the heap/);
  assert.throws(() => status.matmul.gemm(heap, 2, 0, 0, 1, 1, 1, 1, false, false), /operand 0 lies outside the heap/);
  assert.ok(new Float32Array(heap).every((x) => x === 7));
});

test('$SPO_NATIVE_MATMUL: "off" and a path that is no BLAS are reported with the reason, not thrown', () => {
  assert.deepEqual(probeNativeMatMul({ SPO_NATIVE_MATMUL: 'off' }), {
    available: false,
    reason: '$SPO_NATIVE_MATMUL=off',
  });
  const missing = probeNativeMatMul({ SPO_NATIVE_MATMUL: '/nonexistent/libblas.so' });
  assert.equal(missing.available, false);
  if (!missing.available)
    assert.match(
      missing.reason,
      /(\/nonexistent\/libblas\.so is not a usable BLAS: dlopen failed|the addon was not built)/,
    );
});

/** The kernel set a fresh process's BLAS reports, with $OPENBLAS_CORETYPE as given (undefined: unset). */
function coreInFreshProcess(coretype: string | undefined): string {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  const script =
    "import { loadNativeMatMul } from './index.ts'; const s = loadNativeMatMul(); " +
    "console.log(JSON.stringify(s.available ? s.matmul.core : ''))";
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('.', import.meta.url),
    env,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const cpuFlags = (() => {
  try {
    return /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? [];
  } catch {
    return [];
  }
})();
const avx2 = process.arch === 'x64' && cpuFlags.includes('avx2') && cpuFlags.includes('fma');
const isOpenBlas = status.available && status.matmul.core !== '';

test(
  "OpenBLAS runs Haswell's kernels unless $OPENBLAS_CORETYPE names others, and says which it runs",
  { skip: skip || (!isOpenBlas && 'the BLAS is not OpenBLAS') || (!avx2 && 'no AVX2 and FMA here') },
  () => {
    assert.equal(coreInFreshProcess(undefined), PORTABLE_CORETYPE);
    assert.equal(coreInFreshProcess('Sandybridge'), 'Sandybridge');
  },
);
