// Adjusted p-values for a family of comparisons (e.g. every +SPO-versus-base comparison of one
// experiment): Holm's step-down adjustment controls the family-wise error rate (Holm 1979), and
// Benjamini–Hochberg's step-up adjustment the false discovery rate (Benjamini & Hochberg 1995).
// Each returns the adjusted values in the order given.

/** Holm: with p sorted ascending, adj_(i) = max_{j ≤ i} min(1, (m − j + 1) · p_(j)). */
export function holmAdjust(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p[i]));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg: with p sorted ascending, q_(i) = min_{j ≥ i} min(1, m / j · p_(j)). */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const i = order[rank];
    running = Math.min(running, Math.min(1, (m / (rank + 1)) * p[i]));
    adjusted[i] = running;
  }
  return adjusted;
}
