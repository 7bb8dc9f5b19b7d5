// Public datasets and models come in by sha256 only: from a local mirror folder (CI's, or $SPO_MIRROR)
// or over HTTP (a loopback server standing in for the public host); a damaged or cut copy is refused
// and nothing is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  artifactFolder,
  fetchArtifact,
  fetchHint,
  mirrorFolder,
  publicArtifact,
  PUBLIC_ARTIFACTS,
  testMirror,
  type PublicArtifact,
} from '../index.js';

const MIRROR = testMirror() ?? '(no mirror)';
const mirrorOf = (name: string) =>
  existsSync(mirrorFolder(publicArtifact(name), MIRROR))
    ? false
    : `skipped: no mirror holds ${name} (set SPO_MIRROR to a folder holding ${name}/)`;
const tmp = () => mkdtempSync(join(tmpdir(), 'fetch-'));

for (const d of PUBLIC_ARTIFACTS) {
  test(
    `${d.name}: fetched from the local mirror, every file's sha256 checked; a second fetch keeps them`,
    { skip: mirrorOf(d.name) },
    async () => {
      const to = tmp();
      const first = await fetchArtifact(d, { to, from: MIRROR });
      assert.deepEqual(
        first.map((r) => r.how),
        d.files.map(() => 'mirror'),
      );
      for (const f of d.files) assert.equal(readFileSync(join(to, f.path)).length, f.bytes);
      const second = await fetchArtifact(d, { to, from: MIRROR });
      assert.deepEqual(
        second.map((r) => r.how),
        d.files.map(() => 'kept'),
      );
    },
  );
}

test(
  'a damaged or cut mirror copy is refused and nothing is written',
  { skip: mirrorOf('llamafactory-dpo-en-demo') },
  async () => {
    const d = publicArtifact('llamafactory-dpo-en-demo');
    const mirror = tmp();
    cpSync(mirrorFolder(d, MIRROR), join(mirror, d.name), { recursive: true });
    const file = join(mirror, d.name, 'dpo_en_demo.json');
    const bytes = readFileSync(file);
    bytes[1000] ^= 1;
    writeFileSync(file, bytes);
    const to = tmp();
    await assert.rejects(
      fetchArtifact(d, { to, from: mirror }),
      new RegExp(
        String.raw`dpo_en_demo\.json: sha256 [0-9a-f]{64} is not dpo_en_demo\.json's ` +
          String.raw`b949be24.*the copy is damaged or another version`,
      ),
    );
    writeFileSync(file, bytes.subarray(0, 100));
    await assert.rejects(
      fetchArtifact(d, { to, from: mirror }),
      /100 bytes, dpo_en_demo\.json should have 1575286; the copy is cut short/,
    );
    assert.deepEqual(readdirSync(to), [], 'nothing left where a run would read it');
    await assert.rejects(
      fetchArtifact(d, { to, from: tmp() }),
      /the mirror .* has no dpo_en_demo\.json of llamafactory-dpo-en-demo/,
    );
  },
);

test(
  'over HTTP: downloaded, checked and written; ' +
    'a wrong body is refused; ' +
    'an unreachable host says to use --from',
  async () => {
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
    const spec = (path: string, url: string): PublicArtifact => ({
      name: 't',
      kind: 'dataset',
      description: '',
      license: '',
      files: [{ path, url, bytes: good.length, sha256: createHash('sha256').update(good).digest('hex') }],
    });
    try {
      const to = tmp();
      const lines: string[] = [];
      const r = await fetchArtifact(spec('a/good.jsonl', `${base}/good.jsonl`), { to, log: (l) => lines.push(l) });
      assert.deepEqual(
        r.map((x) => x.how),
        ['downloaded'],
      );
      assert.deepEqual(readFileSync(join(to, 'a/good.jsonl')), good);
      assert.match(lines.join('\n'), /downloading http:\/\/127\.0\.0\.1:\d+\/good\.jsonl/);
      await assert.rejects(
        fetchArtifact(spec('bad.jsonl', `${base}/bad.jsonl`), { to }),
        /8 bytes, bad\.jsonl should have/,
      );
      await assert.rejects(
        fetchArtifact(spec('gone.jsonl', `${base}/gone.jsonl`), { to }),
        /HTTP 404; offline, copy the files .* a folder holding t\/ \(or data\/t\/\) and pass that folder with --from/,
      );
      assert.ok(!existsSync(join(to, 'bad.jsonl')) && !existsSync(join(to, 'gone.jsonl')));
    } finally {
      server.close();
    }
    await assert.rejects(
      fetchArtifact(spec('x', 'http://127.0.0.1:9/x'), { to: tmp() }),
      /could not download http:\/\/127\.0\.0\.1:9\/x \(.*\); offline, copy the files .* pass that folder with --from/,
    );
  },
);

test(
  'a mirror may hold <name>/ directly or data/<name>/ and models/<name>/; ' +
    'datasets go to data/, models to models/, and a missing path names its fetch command',
  () => {
    const mirror = tmp();
    const model = publicArtifact('stories260K');
    const dataset = publicArtifact('hh-rlhf');
    assert.equal(mirrorFolder(model, mirror), join(mirror, 'stories260K'));
    mkdirSync(join(mirror, 'models', 'stories260K'), { recursive: true });
    mkdirSync(join(mirror, 'data', 'hh-rlhf'), { recursive: true });
    assert.equal(mirrorFolder(model, mirror), join(mirror, 'models', 'stories260K'));
    assert.equal(mirrorFolder(dataset, mirror), join(mirror, 'data', 'hh-rlhf'));
    mkdirSync(join(mirror, 'hh-rlhf'));
    assert.equal(mirrorFolder(dataset, mirror), join(mirror, 'hh-rlhf'), 'a folder named as the artifact wins');
    assert.equal(artifactFolder(model), join('models', 'stories260K'));
    assert.equal(artifactFolder(dataset), join('data', 'hh-rlhf'));
    assert.equal(artifactFolder(dataset, 'elsewhere'), join('elsewhere', 'hh-rlhf'));
    assert.match(fetchHint('models/stories260K') ?? '', /npm run spo -- data fetch stories260K/);
    assert.match(fetchHint('data/hh-rlhf/helpful-base/test.jsonl.gz') ?? '', /data fetch hh-rlhf/);
    assert.equal(fetchHint('my/own/file.jsonl'), undefined);
    assert.throws(() => publicArtifact('nope'), /no public dataset or model "nope"; known: .*stories260K/);
  },
);
