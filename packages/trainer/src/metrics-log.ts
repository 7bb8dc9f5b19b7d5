// Per-step metrics as JSON lines (TRL's metric names). On resume the log is cut back to the
// checkpoint's step, so a resumed run's log equals an uninterrupted run's.
import { existsSync, readFileSync } from 'node:fs';
import { appendToFile, writeFileAtomic } from '@spo/engine';

export type MetricsRow = { step: number } & Record<string, number>;

/**
 * The rows of a metrics log. A last line cut short by a kill (no newline after it) is dropped: the
 * checkpoint it would follow was never written. Any other line that is not a metrics row is an error
 * naming the file and line, never a silent end of the log.
 */
export function readMetrics(path: string): MetricsRow[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const rows: MetricsRow[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const cutShort = i === lines.length - 1; // the text did not end with a newline
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      if (cutShort) break;
      throw new Error(
        `${path}:${i + 1}: damaged metrics line (not JSON): ${JSON.stringify(line.slice(0, 80))}; ` +
          `fix or delete that line, or delete the stage's folder to retrain it`,
      );
    }
    if (typeof row !== 'object' || row === null || !Number.isInteger((row as { step?: unknown }).step)) {
      throw new Error(
        `${path}:${i + 1}: a metrics row needs an integer "step": ` +
          `${JSON.stringify(line.slice(0, 80))}; fix or delete that line`,
      );
    }
    rows.push(row as MetricsRow);
  }
  return rows;
}

export class MetricsLog {
  constructor(readonly path: string) {}

  /** Keep only rows up to `step` (inclusive); returns them. */
  truncateAfter(step: number): MetricsRow[] {
    const kept = readMetrics(this.path).filter((r) => r.step <= step);
    writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r)).join('\n') + (kept.length ? '\n' : ''));
    return kept;
  }

  append(row: MetricsRow): void {
    appendToFile(this.path, `${JSON.stringify(row)}\n`);
  }
}
