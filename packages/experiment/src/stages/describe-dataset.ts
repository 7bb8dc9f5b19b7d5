// A prepared dataset in a few lines: what a researcher checks before training on it.
import { BAD_ROW_REASONS, type BadRowReason, type LengthStats, type PreparedDataset } from '@spo/data';

const percentiles = (s: LengthStats) => `p50 ${s.p50}, p90 ${s.p90}, p99 ${s.p99}, max ${s.max}`;

export function describeDataset(ds: PreparedDataset): string[] {
  const m = ds.manifest;
  const c = m.counts;
  const lines = [
    `${c.sft} SFT demonstrations, ${c.preferences} preference pairs, ` +
      `${c.lists} ranked lists, ${c.eval} held-out prompts` +
      (c.validation || c.test ? `, ${c.validation} validation and ${c.test} test pairs` : ''),
    `vocabulary ${ds.tokenizer.size}; tokens per sequence max ${m.tokens.max}, mean ${m.tokens.mean.toFixed(1)}`,
  ];
  const r = m.report;
  if (r) {
    for (const f of r.load.files) lines.push(`${f.file}: ${f.rowsRead} rows read, ${f.rowsKept} kept`);
    const dropped = Object.entries(r.load.badRows.dropped) as [BadRowReason, number][];
    lines.push(
      `${r.load.rowsRead} rows read, ${r.load.rowsKept} kept, ${dropped.reduce((a, [, n]) => a + n, 0)} dropped` +
        (dropped.length ? `: ${dropped.map(([k, n]) => `${n} ${k}`).join(', ')}` : ''),
    );
    for (const [reason] of dropped)
      lines.push(`  ${reason} (${BAD_ROW_REASONS[reason]}), e.g. ${r.load.badRows.examples[reason]?.[0] ?? ''}`);
    lines.push(`splits: ${r.splits.train} train, ${r.splits.validation} validation, ${r.splits.test} test`);
    lines.push(`prompt tokens ${percentiles(r.promptTokens)} (${r.promptsTruncated} cut to data.maxPromptTokens)`);
    lines.push(`response tokens ${percentiles(r.responseTokens)}`);
  }
  return lines;
}
