// Packing: several responses to one prompt in one row of the response pass, each attending only to the
// prompt and to itself. A response pass otherwise pads every row to the batch's widest response, and
// real preference data mixes short and long responses (HH-RLHF's run from one token to the 128-token
// cap), and SPO's degree variants are pruned, so shorter, copies of a response; packed, the pass has
// fewer rows and fewer padded positions at the same width, in one pass. All the responses of a packed
// row share its prompt, so one copy of the prompt's keys and values serves them all
// (model/response-log-probs.ts builds the pass and its attention mask).
// On by default ($SPO_PACKED_RESPONSES=off gives a row per response): the same numbers up to rounding,
// but rounded differently from a row per response, so each is a numerics path of its own (the packed
// one ends "-packed" in every stage hash). Every committed report is made packed.

/** "on" or "off"; unset means PACKED_RESPONSES_DEFAULT. */
export const PACKED_RESPONSES_ENV = 'SPO_PACKED_RESPONSES';
const PACKED_RESPONSES_DEFAULT = true;

let setting: boolean | undefined;

/** Whether response passes pack responses: setPackedResponses's value, else $SPO_PACKED_RESPONSES. */
export function packedResponsesOn(env: NodeJS.ProcessEnv = process.env): boolean {
  if (setting !== undefined) return setting;
  const value = env[PACKED_RESPONSES_ENV];
  if (value === undefined || value === '') return PACKED_RESPONSES_DEFAULT;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new Error(`$${PACKED_RESPONSES_ENV} is "${value}"; set it to "on" or "off", or unset it (on)`);
}

/**
 * Override $SPO_PACKED_RESPONSES in this process, for the bench and tests that compare both; undefined
 * restores it. The backend line and the numerics path keep the setting read when the backend started.
 */
export function setPackedResponses(on: boolean | undefined): void {
  setting = on;
}

/** One response in a packed row: the batch row it scores, where it starts, how many tokens it has. */
export interface PackedSegment {
  row: number;
  offset: number;
  length: number;
}

/** A row of the packed response pass: the prompt its responses share, and the responses in order. */
export interface PackedRow {
  prompt: number;
  segments: PackedSegment[];
}

/**
 * The rows of a response pass `width` wide, packing each prompt's responses first-fit decreasing: the
 * longest first, each into the first row of its prompt with room, else a new row. Every batch row is in
 * exactly one segment (a response of length 0 too, where it takes no room); no row holds two prompts or
 * more than `width` tokens. Prompts come in order of first appearance, rows in the order they were
 * opened. @param rowPrompt each batch row's prompt @param lengths each batch row's response length
 */
export function packResponses(rowPrompt: readonly number[], lengths: readonly number[], width: number): PackedRow[] {
  if (rowPrompt.length !== lengths.length)
    throw new Error(`packResponses: ${rowPrompt.length} prompts for ${lengths.length} response lengths`);
  const tooLong = lengths.findIndex((l) => l > width);
  if (tooLong >= 0) throw new Error(`packResponses: row ${tooLong}'s response (${lengths[tooLong]}) exceeds ${width}`);
  const byPrompt = new Map<number, number[]>();
  rowPrompt.forEach((p, r) => byPrompt.set(p, [...(byPrompt.get(p) ?? []), r]));
  const packed: PackedRow[] = [];
  for (const [prompt, rows] of byPrompt) {
    const open: { row: PackedRow; used: number }[] = [];
    // longest first; equal lengths in row order (a stable sort)
    for (const r of [...rows].sort((a, b) => lengths[b] - lengths[a])) {
      let bin = open.find((b) => b.used + lengths[r] <= width);
      if (!bin) open.push((bin = { row: { prompt, segments: [] }, used: 0 }));
      bin.row.segments.push({ row: r, offset: bin.used, length: lengths[r] });
      bin.used += lengths[r];
    }
    packed.push(...open.map((b) => b.row));
  }
  return packed;
}
