// Public datasets come in by sha256 only: from a local mirror (../shared/data here) or over HTTP (a
// loopback server standing in for the public host); a damaged or cut copy is refused and nothing is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchDataset, publicDataset, PUBLIC_DATASETS, type PublicDataset } from '../index.js';

const SHARED = process.env.SPO_SHARED_DATA ?? join(import.meta.dirname, '../../../../../shared/data');
const mirrorOf = (name: string) => (existsSync(join(SHARED, name)) ? false : `${join(SHARED, name)} is absent (the mirror of ../shared/data beside the repository, or $SPO_SHARED_DATA): skipped`);
const tmp = () => mkdtempSync(join(tmpdir(), 'fetch-'));

for (const d of PUBLIC_DATASETS) {
  test(`${d.name}: fetched from the local mirror, every file's sha256 checked; a second fetch keeps them`, { skip: mirrorOf(d.name) }, async () => {
    const to = tmp();
    const first = await fetchDataset(d, { to, from: join(SHARED, d.name) });
    assert.deepEqual(first.map((r) => r.how), d.files.map(() => 'mirror'));
    for (const f of d.files) assert.equal(readFileSync(join(to, f.path)).length, f.bytes);
    const second = await fetchDataset(d, { to, from: join(SHARED, d.name) });
    assert.deepEqual(second.map((r) => r.how), d.files.map(() => 'kept'));
  });
}

test('a damaged or cut mirror copy is refused and nothing is written', { skip: mirrorOf('llamafactory-dpo-en-demo') }, async () => {
  const d = publicDataset('llamafactory-dpo-en-demo');
  const mirror = tmp();
  cpSync(join(SHARED, d.name), mirror, { recursive: true });
  const file = join(mirror, 'dpo_en_demo.json');
  const bytes = readFileSync(file);
  bytes[1000] ^= 1;
  writeFileSync(file, bytes);
  const to = tmp();
  await assert.rejects(fetchDataset(d, { to, from: mirror }), /dpo_en_demo\.json: sha256 [0-9a-f]{64} is not dpo_en_demo\.json's b949be24.*the copy is damaged or another version/);
  writeFileSync(file, bytes.subarray(0, 100));
  await assert.rejects(fetchDataset(d, { to, from: mirror }), /100 bytes, dpo_en_demo\.json should have 1575286; the copy is cut short/);
  assert.deepEqual(readdirSync(to), [], 'nothing left where a run would read it');
  await assert.rejects(fetchDataset(d, { to, from: tmp() }), /the mirror .* has no dpo_en_demo\.json/);
});

test('over HTTP: downloaded, checked and written; a wrong body is refused; an unreachable host says to use --from', async () => {
  const good = Buffer.from('{"prompt": "p", "chosen": "a", "rejected": "b"}\n');
  const server = createServer((req, res) => {
    if (req.url === '/good.jsonl') return res.end(good);
    if (req.url === '/bad.jsonl') return res.end(Buffer.from('tampered'));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { createHash } = await import('node:crypto');
  const spec = (path: string, url: string): PublicDataset => ({ name: 't', description: '', license: '', files: [{ path, url, bytes: good.length, sha256: createHash('sha256').update(good).digest('hex') }] });
  try {
    const to = tmp();
    const lines: string[] = [];
    const r = await fetchDataset(spec('a/good.jsonl', `${base}/good.jsonl`), { to, log: (l) => lines.push(l) });
    assert.deepEqual(r.map((x) => x.how), ['downloaded']);
    assert.deepEqual(readFileSync(join(to, 'a/good.jsonl')), good);
    assert.match(lines.join('\n'), /downloading http:\/\/127\.0\.0\.1:\d+\/good\.jsonl/);
    await assert.rejects(fetchDataset(spec('bad.jsonl', `${base}/bad.jsonl`), { to }), /8 bytes, bad\.jsonl should have/);
    await assert.rejects(fetchDataset(spec('gone.jsonl', `${base}/gone.jsonl`), { to }), /HTTP 404; pass a local copy with --from/);
    assert.ok(!existsSync(join(to, 'bad.jsonl')) && !existsSync(join(to, 'gone.jsonl')));
  } finally {
    server.close();
  }
  await assert.rejects(fetchDataset(spec('x', 'http://127.0.0.1:9/x'), { to: tmp() }), /could not download http:\/\/127\.0\.0\.1:9\/x \(.*\); offline, put a copy in a folder and pass it with --from/);
});
