// Bad input rows: every reason a row can be refused, the error that names its file, line and field,
// and the tally that skip mode keeps so no dropped row goes unreported.

export const BAD_ROW_REASONS = {
  'not-json': 'the line is not valid JSON',
  'not-utf8': 'the bytes are not valid UTF-8',
  'cell-count': 'a CSV / TSV row has more cells than the header has columns',
  'missing-field': 'a required field is missing or has the wrong type',
  'empty-response': 'a response is empty',
  'too-long': 'a text is longer than the configured limit',
  'identical-responses': 'the responses being compared are the same text',
  'prompt-mismatch': 'the responses being compared continue different prompts',
  'response-too-long': 'a response has more tokens than data.maxResponseTokens',
  tie: 'the label says neither response is preferred (or the annotators split evenly)',
  'unknown-label': 'the label has a value data.label does not map to a response',
} as const;
export type BadRowReason = keyof typeof BAD_ROW_REASONS;

/**
 * Reasons that are filters rather than broken input (known quirks of real datasets, and the configured
 * response length): such rows are dropped and counted whatever data.onBadRow says.
 */
export const FILTER_REASONS: readonly BadRowReason[] = [
  'identical-responses',
  'prompt-mismatch',
  'response-too-long',
  'tie',
];

export type OnBadRow = 'error' | 'skip';

export interface RowLocation {
  file: string;
  /** 1-based line (or CSV row) number. */
  line: number;
}

export class BadRowError extends Error {
  constructor(
    readonly at: RowLocation,
    readonly reason: BadRowReason,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${at.file}:${at.line}: ${field ? `field "${field}": ` : ''}${detail} [${reason}]`);
  }
}

export interface BadRowReport {
  /** Dropped rows by reason. */
  dropped: Partial<Record<BadRowReason, number>>;
  /** The first few locations of each reason, for looking at. */
  examples: Partial<Record<BadRowReason, string[]>>;
}

const EXAMPLES_PER_REASON = 3;

export class BadRowTally {
  readonly report: BadRowReport = { dropped: {}, examples: {} };

  constructor(readonly policy: OnBadRow) {}

  /** Counts the row as dropped, or rethrows when the policy is to stop (filters are always counted). */
  drop(error: BadRowError): void {
    if (this.policy === 'error' && !FILTER_REASONS.includes(error.reason)) {
      throw new Error(`${error.message}\n  (set data.onBadRow to "skip" to drop such rows and count them by reason)`);
    }
    const { dropped, examples } = this.report;
    dropped[error.reason] = (dropped[error.reason] ?? 0) + 1;
    const list = (examples[error.reason] ??= []);
    if (list.length < EXAMPLES_PER_REASON) list.push(error.message);
  }

  get total(): number {
    return Object.values(this.report.dropped).reduce((a, b) => a + (b ?? 0), 0);
  }
}
