// Per-step metrics as JSON lines (TRL's metric names). On resume the log is cut back to the
// checkpoint's step, so a resumed run's log equals an uninterrupted run's.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@spo/engine';

export type MetricsRow = { step: number } & Record<string, number>;

export function readMetrics(path: string): MetricsRow[] {
  if (!existsSync(path)) return [];
  const rows: MetricsRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      break; // a line cut short by a kill: everything before it is good
    }
  }
  return rows;
}

export class MetricsLog {
  constructor(readonly path: string) {}

  /** Keep only rows up to `step` (inclusive). */
  truncateAfter(step: number): void {
    const kept = readMetrics(this.path).filter((r) => r.step <= step);
    writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r)).join('\n') + (kept.length ? '\n' : ''));
  }

  append(row: MetricsRow): void {
    appendFileSync(this.path, `${JSON.stringify(row)}\n`);
  }
}
