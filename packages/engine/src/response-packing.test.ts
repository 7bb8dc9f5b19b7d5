import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packResponses, packedResponsesOn, setPackedResponses } from './response-packing.js';

test('packResponses: first-fit decreasing per prompt, no row with two prompts or over the width', () => {
  // prompt 0: 4, 6, 2 (width 9: 6 + 2, then 4); prompt 1: 2, 1, 5 (all in one); prompt 2: 9, 3
  const rowPrompt = [0, 1, 2, 0, 1, 2, 0, 1];
  const lengths = [4, 2, 9, 6, 1, 3, 2, 5];
  assert.deepEqual(packResponses(rowPrompt, lengths, 9), [
    {
      prompt: 0,
      segments: [
        { row: 3, offset: 0, length: 6 },
        { row: 6, offset: 6, length: 2 },
      ],
    },
    { prompt: 0, segments: [{ row: 0, offset: 0, length: 4 }] },
    {
      prompt: 1,
      segments: [
        { row: 7, offset: 0, length: 5 },
        { row: 1, offset: 5, length: 2 },
        { row: 4, offset: 7, length: 1 },
      ],
    },
    { prompt: 2, segments: [{ row: 2, offset: 0, length: 9 }] },
    { prompt: 2, segments: [{ row: 5, offset: 0, length: 3 }] },
  ]);
});

test('packResponses: every row once, in some segment, segments contiguous from 0 and within the width', () => {
  const rowPrompt = [0, 0, 0, 1, 1, 0, 2, 1, 1, 1];
  const lengths = [3, 0, 7, 1, 1, 4, 8, 2, 5, 0];
  for (const width of [8, 10, 16]) {
    const packed = packResponses(rowPrompt, lengths, width);
    const rows = packed.flatMap((p) => p.segments.map((s) => s.row)).sort((a, b) => a - b);
    assert.deepEqual(rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const { prompt, segments } of packed) {
      let end = 0;
      for (const s of segments) {
        assert.equal(rowPrompt[s.row], prompt);
        assert.equal(s.length, lengths[s.row]);
        assert.equal(s.offset, end);
        end += s.length;
      }
      assert.ok(end <= width, `a row of ${end} tokens at width ${width}`);
    }
  }
  // equal lengths: rows in batch order; a response of length 0 takes no room
  assert.deepEqual(packResponses([0, 0, 0], [2, 0, 2], 4), [
    {
      prompt: 0,
      segments: [
        { row: 0, offset: 0, length: 2 },
        { row: 2, offset: 2, length: 2 },
        { row: 1, offset: 4, length: 0 },
      ],
    },
  ]);
});

test('packResponses: a response wider than the rows, or mismatched inputs, are errors', () => {
  assert.throws(() => packResponses([0, 0], [3, 5], 4), /row 1's response \(5\) exceeds 4/);
  assert.throws(() => packResponses([0], [3, 5], 8), /1 prompts for 2 response lengths/);
});

test('$SPO_PACKED_RESPONSES: on when unset, on or off as set, an error naming it otherwise', () => {
  assert.equal(packedResponsesOn({}), true);
  assert.equal(packedResponsesOn({ SPO_PACKED_RESPONSES: 'on' }), true);
  assert.equal(packedResponsesOn({ SPO_PACKED_RESPONSES: 'off' }), false);
  assert.throws(
    () => packedResponsesOn({ SPO_PACKED_RESPONSES: 'yes' }),
    /\$SPO_PACKED_RESPONSES is "yes".*"on" or "off"/,
  );
  setPackedResponses(false);
  try {
    assert.equal(packedResponsesOn({}), false);
  } finally {
    setPackedResponses(undefined);
  }
  assert.equal(packedResponsesOn({}), true);
});
