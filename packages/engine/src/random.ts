// Seeded random numbers for every stage. sfc32 state seeded by a string hash, so a stream can be
// derived from a parent seed and a label ("data/shuffle", "generate/3") and stays the same across runs.

/** 32-bit FNV-1a over a string, used to turn (seed, label) into a generator state. */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export type RngState = [number, number, number, number];

export class Rng {
  private s: RngState;

  constructor(seed: number | string | RngState) {
    if (Array.isArray(seed)) {
      this.s = [...seed] as RngState;
      return;
    }
    const text = String(seed);
    this.s = [fnv1a(text), fnv1a(text, 0x9e3779b9), fnv1a(text, 0x85ebca6b), fnv1a(text, 0xc2b2ae35)];
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** An independent stream named by `label`; the parent is not advanced. */
  fork(label: string): Rng {
    return new Rng(`${this.s.join(':')}/${label}`);
  }

  state(): RngState {
    return [...this.s] as RngState;
  }

  nextU32(): number {
    let [a, b, c, d] = this.s;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    this.s = [a >>> 0, b, c, d];
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[this.int(items.length)];
  }

  /** A new array with the items in random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new Error(`Rng.sample: asked for ${k} of ${items.length} items`);
    return this.shuffle(items).slice(0, k);
  }
}
