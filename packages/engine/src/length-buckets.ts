// Length buckets: the rows of a response pass split in two, each padded to its own widest row instead of
// the batch's. Real preference data mixes short and long responses (HH-RLHF's run from one token to
// the 128-token cap), and SPO's degree variants are pruned, so shorter, copies of a response; padding
// every row to the widest spends most of a pass on padding. Two passes cost a second set of kernel
// launches, so the split is taken only where it saves at least MIN_SAVING of the padded positions.
// Off by default ($SPO_LENGTH_BUCKETS=on turns it on): the same numbers up to rounding, but rounded
// differently from one pass, and every committed report was made without it, so it is a numerics path
// of its own ("-buckets" in every stage hash).

/** "on" or "off"; unset means LENGTH_BUCKETS_DEFAULT. */
export const LENGTH_BUCKETS_ENV = 'SPO_LENGTH_BUCKETS';
const LENGTH_BUCKETS_DEFAULT = false;

/**
 * The smallest share of padded positions a second pass must save. Measured, in one process alternating
 * one pass and two: on the bench's synthetic batches a split saving 21% of the positions was no faster
 * and one saving 28% 3% faster; on HH-RLHF (`nx run bench:prompts`) buckets cutting the positions 37-44%
 * in all made the DPO step 1.10-1.47x faster.
 */
export const MIN_SAVING = 0.25;

let setting: boolean | undefined;

/** Whether response passes split into length buckets: setLengthBuckets's value, else $SPO_LENGTH_BUCKETS. */
export function lengthBucketsOn(env: NodeJS.ProcessEnv = process.env): boolean {
  if (setting !== undefined) return setting;
  const value = env[LENGTH_BUCKETS_ENV];
  if (value === undefined || value === '') return LENGTH_BUCKETS_DEFAULT;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new Error(`$${LENGTH_BUCKETS_ENV} is "${value}"; set it to "on" or "off", or unset it (off)`);
}

/**
 * Override $SPO_LENGTH_BUCKETS in this process, for the bench and tests that compare both; undefined
 * restores it. The backend line and the numerics path keep the setting read when the backend started.
 */
export function setLengthBuckets(on: boolean | undefined): void {
  setting = on;
}

/**
 * Row indices in one bucket (all rows, in order) or two (the shorter rows, then the longer, each in row
 * order): the split that minimises the padded positions, taken when buckets are on and it saves at
 * least MIN_SAVING.
 */
export function lengthBuckets(lengths: readonly number[], on = lengthBucketsOn()): number[][] {
  const rows = lengths.map((_, r) => r);
  if (!on) return [rows];
  const sorted = [...lengths].sort((a, b) => a - b);
  const R = sorted.length;
  const whole = R * (sorted[R - 1] ?? 0);
  let best = { positions: whole, width: Infinity };
  // the short bucket takes every row of length <= width; widths are the distinct lengths below the longest
  for (let s = 1; s < R; s++) {
    // a bucket of empty rows would be a pass of width 0: they stay with the others
    if (sorted[s] === sorted[s - 1] || sorted[s - 1] === 0) continue;
    const positions = s * sorted[s - 1] + (R - s) * sorted[R - 1];
    if (positions < best.positions) best = { positions, width: sorted[s - 1] };
  }
  if (best.width === Infinity || whole - best.positions < MIN_SAVING * whole) return [rows];
  return [rows.filter((r) => lengths[r] <= best.width), rows.filter((r) => lengths[r] > best.width)];
}
