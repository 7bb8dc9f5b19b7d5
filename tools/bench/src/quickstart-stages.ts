// `nx run bench:quickstart`: the uncached quickstart, stage by stage, as Nx runs it (one `spo` process
// per stage, into a fresh run folder and prepared-data cache), with each stage's wall time split into process start and
// backend initialisation (until the engine's first log line) and the stage's own work.
// Options: --config experiments/quickstart/config.json
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { markdownTable } from '@spo/reports';

const o = new Command()
  .option('--config <path>', 'experiment config', 'experiments/quickstart/config.json')
  .parse()
  .opts<{ config: string }>();
const runDir = mkdtempSync(join(tmpdir(), 'spo-quickstart-'));
const reportDir = join(runDir, 'report');
const STAGES = ['data', 'sft', 'train --stage rm', 'train --run dpo', 'train --run dpo-spo', 'report'];

/** Wall seconds of one stage, and seconds until its backend was up (the "[engine] backend:" line). */
function timeStage(stage: string): Promise<{ total: number; startup: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let startup: number | undefined;
    // the command Nx runs for the stage (tsx from node_modules/.bin), not through npx
    const child = spawn(
      join('node_modules', '.bin', 'tsx'),
      [
        'packages/cli/src/main.ts',
        ...stage.split(' '),
        '--config',
        o.config,
        '--run-dir',
        runDir,
        '--report-dir',
        reportDir,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CI: 'true', SPO_CACHE_DIR: join(runDir, 'cache') },
      },
    );
    let buffer = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (startup === undefined && buffer.includes('[engine] backend:')) startup = (performance.now() - started) / 1000;
    });
    child.on('close', (code) => {
      const total = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${stage} exited with ${code}:\n${buffer.slice(-2000)}`));
      else resolve({ total, startup: startup ?? total });
    });
  });
}

const rows: string[][] = [];
let sum = 0,
  startupSum = 0;
try {
  for (const stage of STAGES) {
    const { total, startup } = await timeStage(stage);
    sum += total;
    startupSum += startup;
    rows.push([stage, total.toFixed(1), startup.toFixed(1), (total - startup).toFixed(1)]);
    console.error(`[quickstart] ${stage}: ${total.toFixed(1)} s (${startup.toFixed(1)} s to a running backend)`);
  }
} finally {
  rmSync(runDir, { recursive: true, force: true });
}
rows.push(['total', sum.toFixed(1), startupSum.toFixed(1), (sum - startupSum).toFixed(1)]);
console.log(markdownTable(['stage', 'wall s', 'process start + backend s', 'work s'], rows));
