// The report pages as a person sees them: each committed page opened in headless Chromium from the
// file system (no server, no network), its charts drawn by vega-embed with marks in every one, no
// console error and no missing file; screenshots saved as test artefacts. Then `spo view` on loopback:
// the reports served and an experiment's live curves drawn. Skips, saying why, without a Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'node:http';
import { startViewServer } from './view-server.js';

// the functions passed to the page run in the browser, where `document` exists
declare const document: {
  querySelectorAll(
    selector: string,
  ): ArrayLike<{ getAttribute(name: string): string | null }> & Iterable<{ getAttribute(name: string): string | null }>;
};

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const REPORTS = join(ROOT, 'reports');
const CHROMIUM = [process.env.SPO_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && existsSync(p),
);
const ARTIFACTS = process.env.SPO_TEST_ARTIFACTS ?? join(ROOT, 'test-artifacts', 'screenshots');
const skip = CHROMIUM
  ? false
  : 'no Chromium (Debian: apt install chromium; or set SPO_CHROMIUM): ' +
    'the browser checks of the report pages are skipped';

const pages = existsSync(REPORTS)
  ? [
      'index.html',
      ...readdirSync(REPORTS)
        .filter((d) => existsSync(join(REPORTS, d, 'index.html')))
        .map((d) => join(d, 'index.html')),
    ].filter((p) => existsSync(join(REPORTS, p)))
  : [];

async function browser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Open a page; return its console errors, failed loads, and per chart whether it was drawn and how many marks it has.
 */
async function inspect(b: Awaited<ReturnType<typeof browser>>, url: string, screenshot: string) {
  const page = await b.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push(`failed to load ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.locator('.chart').count();
  if (charts)
    await page
      .waitForFunction(
        () => [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true'),
        undefined,
        { timeout: 60_000 },
      )
      .catch(() => {});
  const drawn = await page.$$eval('.chart', (divs) =>
    divs.map((d) => ({
      id: d.getAttribute('data-spec'),
      rendered: d.getAttribute('data-rendered') === 'true',
      marks: d.querySelectorAll(
        '.mark-symbol path, .mark-line path, .mark-rect path, .mark-rule line, .mark-area path, .mark-text text',
      ).length,
    })),
  );
  const images = await page.$$eval('img', (imgs) =>
    imgs.map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })),
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { errors, drawn, images };
}

test(
  'every committed report page opens from the file system with its charts drawn and no errors',
  { skip: skip || (pages.length ? false : 'no report pages under reports/ yet: run nx run <experiment>:report') },
  async () => {
    const b = await browser();
    try {
      for (const p of pages) {
        const shot = join(ARTIFACTS, `${p.replace(/[\\/]/g, '_').replace(/\.html$/, '')}.png`);
        const { errors, drawn, images } = await inspect(b, pathToFileURL(join(REPORTS, p)).href, shot);
        assert.deepEqual(errors, [], `${p}: console errors`);
        for (const c of drawn) {
          assert.ok(c.rendered, `${p}: chart ${c.id} was not drawn`);
          assert.ok(c.marks > 0, `${p}: chart ${c.id} has no marks`);
        }
        for (const i of images) assert.ok(i.ok, `${p}: image ${i.src} did not load`);
        // every page has its win rates and training curves; most also their +SPO pairs (a tuning report has none)
        if (p !== 'index.html') assert.ok(drawn.length >= 2, `${p}: ${drawn.length} charts`);
        assert.ok(existsSync(shot));
      }
    } finally {
      await b.close();
    }
  },
);

test(
  "spo view serves the reports and draws a live experiment's curves from its metrics, the last line mid-write",
  { skip },
  async () => {
    // two runs of a training experiment, one still writing its log
    const runs = mkdtempSync(join(tmpdir(), 'live-runs-'));
    for (const [run, steps] of [
      ['dpo.seed=1', 12],
      ['dpo-spo.seed=1', 7],
    ] as const) {
      mkdirSync(join(runs, 'quickstart', run), { recursive: true });
      const rows = Array.from({ length: steps }, (_, i) =>
        JSON.stringify({
          step: i + 1,
          loss: 0.7 - 0.01 * i,
          'rewards/margins': 0.02 * i,
          'rewards/accuracies': 0.5 + 0.01 * i,
        }),
      );
      writeFileSync(
        join(runs, 'quickstart', run, 'metrics.jsonl'),
        `${rows.join('\n')}\n${run.startsWith('dpo-spo') ? '{"step": 8, "loss": 0.6' : ''}`,
      );
    }
    const server = await startViewServer({
      reportsDir: REPORTS,
      runsDir: runs,
      host: '127.0.0.1',
      port: 0,
      refreshSeconds: 1,
      log: () => {},
    });
    const b = await browser();
    try {
      const api = (await (await fetch(`${server.url}/api/curves/quickstart`)).json()) as {
        points: number;
        runs: number;
      };
      assert.deepEqual(
        [api.runs, api.points],
        [2, (12 + 7) * 3],
        'every row of both logs, the half-written line left out',
      );
      // raw requests (fetch would normalise the path first): nothing outside the reports folder is served
      for (const path of ['/../../package.json', '/%2E%2E/%2E%2E/package.json', '/..%2F..%2Fpackage.json']) {
        const status = await new Promise<number>((done) =>
          request(
            { host: '127.0.0.1', port: new URL(server.url).port, path },
            (r) => (r.resume(), done(r.statusCode ?? 0)),
          ).end(),
        );
        assert.ok(status === 403 || status === 404, `${path}: ${status}`);
      }
      const page = await b.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`${server.url}/live/quickstart`);
      await page.waitForFunction(() => document.querySelectorAll('#chart .mark-line path').length > 0, undefined, {
        timeout: 30_000,
      });
      assert.match(await page.locator('#status').innerText(), /\d+ runs, \d+ points; updated/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'live-quickstart.png'), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await b.close();
      await server.close();
    }
  },
);
