// `spo view`: the reports folder served on loopback, plus a live page per experiment whose training
// curves follow the runs' metrics.jsonl while they train (polled every few seconds). Read-only; it
// serves nothing outside the reports and run folders.
import { createServer, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { readMetrics } from '@spo/trainer';
import { trainingCurvesSpec, type CurvePoint, curvePointsOf } from '@spo/reports';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export interface ViewOptions {
  reportsDir: string;
  runsDir: string;
  host: string;
  port: number;
  /** Seconds between the live page's polls. */
  refreshSeconds?: number;
  log?: (line: string) => void;
}

/**
 * Every run folder under runs/<experiment> (variants nest one level) with its metrics, as curve points; the last line
 * may be mid-write.
 */
export function liveCurves(runsDir: string, experiment: string, pointsPerRun = 60): CurvePoint[] {
  const root = join(runsDir, experiment);
  if (!existsSync(root)) return [];
  const runDirs: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name.startsWith('.') || !statSync(p).isDirectory()) continue;
      if (existsSync(join(p, 'metrics.jsonl')) && !['sft', 'rm'].includes(name)) runDirs.push(p);
      else if (depth < 1) walk(p, depth + 1);
    }
  };
  walk(root, 0);
  const points: CurvePoint[] = [];
  for (const dir of runDirs.sort()) {
    let rows;
    try {
      rows = readMetrics(join(dir, 'metrics.jsonl'));
    } catch {
      continue; // a damaged log is the trainer's to report
    }
    const run = dir.slice(root.length + 1);
    points.push(
      ...curvePointsOf(
        rows,
        { method: run.replace(/\.?seed=\d+/, ''), run, seed: Number(/seed=(\d+)/.exec(run)?.[1] ?? 0) },
        pointsPerRun,
      ),
    );
  }
  return points;
}

function livePage(experiment: string, refreshSeconds: number): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">` +
    `<title>${experiment}: live training curves</title>
<script src="/assets/vega.min.js"></script><script src="/assets/vega-lite.min.js"></script>` +
    `<script src="/assets/vega-embed.min.js"></script>
<style>body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2rem; }</style></head><body>
<h1>${experiment}: live training curves</h1><p id="status">loading…</p><div id="chart"></div>
<script>
async function refresh() {
  const r = await fetch('/api/curves/${encodeURIComponent(experiment)}');
  const { spec, points, runs } = await r.json();
  document.getElementById('status').textContent = ` +
    `runs + ' runs, ' + points + ' points; updated ' + new Date().toLocaleTimeString() + ', every ${refreshSeconds} s';
  await vegaEmbed('#chart', spec, { actions: false, renderer: 'svg' });
}
refresh(); setInterval(refresh, ${refreshSeconds * 1000});
</script></body></html>`
  );
}

export async function startViewServer(o: ViewOptions): Promise<{ url: string; close(): Promise<void> }> {
  const log = o.log ?? ((line: string) => console.error(line));
  const reportsRoot = resolve(o.reportsDir);
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only');
    const live = /^\/live\/([A-Za-z0-9._-]+)\/?$/.exec(path);
    if (live) return send(res, 200, TYPES['.html'], livePage(live[1], o.refreshSeconds ?? 3));
    const api = /^\/api\/curves\/([A-Za-z0-9._-]+)$/.exec(path);
    if (api) {
      const points = liveCurves(o.runsDir, api[1]);
      return send(
        res,
        200,
        TYPES['.json'],
        JSON.stringify({
          spec: trainingCurvesSpec(points, `${api[1]}: training curves (live)`),
          points: points.length,
          runs: new Set(points.map((p) => p.run)).size,
        }),
      );
    }
    const file = resolve(reportsRoot, `.${normalize(path.endsWith('/') ? `${path}index.html` : path)}`);
    if (file !== reportsRoot && !file.startsWith(reportsRoot + sep))
      return send(res, 403, 'text/plain', 'outside the reports folder');
    if (!existsSync(file) || !statSync(file).isFile())
      return send(res, 404, 'text/plain', `no ${path} under ${o.reportsDir}; try / or /live/<experiment>`);
    return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(o.port, o.host, r));
  const url = `http://${o.host}:${(server.address() as AddressInfo).port}`;
  log(`[view] ${o.reportsDir} on ${url}/ ; live curves of a running experiment: ${url}/live/<experiment>`);
  return {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
