// A progress bar with loss, throughput and time left; on a non-terminal (Nx, CI) it prints a line
// every few seconds instead of redrawing.
import cliProgress from 'cli-progress';

export interface Progress {
  update(step: number, fields: { loss: number; tokensPerSecond: number }): void;
  stop(): void;
}

export function progressBar(stage: string, total: number, start: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${stage.padEnd(10)} {bar} {value}/{total} steps | loss {loss} | {rate} tok/s | {eta_formatted} left`,
      barsize: 24,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
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
