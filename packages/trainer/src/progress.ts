// Progress with loss, throughput and time left: a redrawn bar on a terminal; elsewhere (Nx's piped
// output, CI logs) a line every few seconds. The lines are written from update() itself, because the
// training loop is synchronous and never yields to a timer.
import cliProgress from 'cli-progress';

export interface Progress {
  update(step: number, fields: { loss: number; tokensPerSecond: number }): void;
  stop(): void;
}

/** Seconds between progress lines when stderr is not a terminal. */
const LINE_EVERY_SECONDS = 5;

export function progressBar(stage: string, total: number, start: number): Progress {
  return process.stderr.isTTY ? terminalBar(stage, total, start) : progressLines(stage, total, start);
}

function terminalBar(stage: string, total: number, start: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${stage.padEnd(10)} {bar} {value}/{total} steps | loss {loss} | {rate} tok/s | {eta_formatted} left`,
      barsize: 24,
      hideCursor: true,
      etaBuffer: 20,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, start, { loss: '-', rate: '-' });
  return {
    update(step, { loss, tokensPerSecond }) {
      bar.update(step, { loss: loss.toFixed(4), rate: Math.round(tokensPerSecond) });
    },
    stop() {
      bar.stop();
    },
  };
}

/** Exported for its test, which passes a clock and a writer. */
export function progressLines(
  stage: string,
  total: number,
  start: number,
  now = () => performance.now(),
  write: (text: string) => void = (text) => void process.stderr.write(text),
): Progress {
  const started = now();
  let printedAt = started,
    last: string | undefined;
  const line = (step: number, loss: number, tokensPerSecond: number) => {
    const seconds = (now() - started) / 1000;
    const left = step > start ? ((total - step) * seconds) / (step - start) : NaN;
    return (
      `${stage} step ${step}/${total} | loss ${loss.toFixed(4)} | ` +
      `${Math.round(tokensPerSecond)} tok/s | ${Number.isFinite(left) ? formatSeconds(left) : '?'} left`
    );
  };
  return {
    update(step, { loss, tokensPerSecond }) {
      last = line(step, loss, tokensPerSecond);
      if (now() - printedAt >= LINE_EVERY_SECONDS * 1000 || step === total) {
        write(`${last}\n`);
        printedAt = now();
        last = undefined;
      }
    },
    stop() {
      if (last) write(`${last}\n`);
    },
  };
}

function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
