// The judge pipeline against a loopback OpenAI-compatible server that this test starts and scripts:
// it prefers the answer containing "good", and injects faults on chosen prompts' first requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JudgeConfigSchema,
  judgeWinRate,
  loadJudgeTemplate,
  parseVerdict,
  fillTemplate,
  retryAfterMs,
  ChatClient,
  ChatRequestError,
  JudgeRunError,
  type JudgeItem,
} from '../index.js';

type Fault = '429' | '500' | 'hang' | 'reset' | 'garbage-once' | 'garbage' | '401';
const faults: Record<string, Fault> = {
  'prompt 0': '429',
  'prompt 1': '500',
  'prompt 2': 'hang',
  'prompt 3': 'reset',
  'prompt 4': 'garbage-once',
  'prompt 5': 'garbage',
};
const seen = new Map<string, number>();
const authHeaders: (string | undefined)[] = [];
let alwaysFirst = false;

function answer(res: ServerResponse, content: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      choices: [{ message: { role: 'assistant', content } }],
      usage: { prompt_tokens: 100, completion_tokens: 10 },
    }),
  );
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    authHeaders.push(req.headers.authorization);
    const text: string = JSON.parse(body).messages[0].content;
    const prompt = /Conversation:\n(.*)\n/.exec(text)![1];
    const attempt = (seen.get(prompt) ?? 0) + 1;
    seen.set(prompt, attempt);
    const fault = faults[prompt];
    if (fault === '401') return res.writeHead(401).end('{"error":"bad key"}');
    if (attempt === 1 && fault === '429') return res.writeHead(429, { 'retry-after': '2' }).end('slow down');
    if (attempt === 1 && fault === '500') return res.writeHead(500).end('oops');
    if (attempt === 1 && fault === 'hang') return; // never answers: the client's timeout fires
    if (attempt === 1 && fault === 'reset') return req.socket.destroy();
    if ((attempt === 1 && fault === 'garbage-once') || fault === 'garbage')
      return answer(res, 'Both replies have merit.\nI cannot decide.');
    const a = /Reply A:\n([\s\S]*?)\n\nReply B:/.exec(text)![1];
    answer(res, `Comparison: one reply is better.\n${alwaysFirst ? 'A' : a.includes('good') ? 'A' : '**B**'}`);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => {
  server.closeAllConnections();
  server.close();
});
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
process.env.SPO_TEST_JUDGE_KEY = 'sk-test-secret-123';
const config = (extra: object = {}) =>
  JudgeConfigSchema.parse({
    baseUrl,
    model: 'judge-1',
    apiKeyEnv: 'SPO_TEST_JUDGE_KEY',
    timeoutMs: 300,
    backoffMs: 5,
    concurrency: 3,
    ...extra,
  });
const template = loadJudgeTemplate('dialogue');
// policy wins on even items, loses on odd ones
const items: JudgeItem[] = Array.from({ length: 8 }, (_, i) => ({
  prompt: `prompt ${i}`,
  policy: i % 2 === 0 ? `good answer ${i}` : `bad answer ${i}`,
  baseline: i % 2 === 0 ? `bad answer ${i}` : `good answer ${i}`,
}));

test("verdicts: the last line's letter, with labels, nouns and markdown; anything else is none", () => {
  assert.equal(parseVerdict('Reply A is clearer.\nA'), 'A');
  assert.equal(parseVerdict('Comparison: ...\nMore helpful: "B"'), 'B');
  assert.equal(parseVerdict('x\n**Reply b**.\n\n'), 'B');
  assert.equal(parseVerdict('A is better, B is not'), undefined);
  assert.equal(parseVerdict('Verdict: tie'), undefined);
  assert.equal(parseVerdict(''), undefined);
  const filled = fillTemplate(template, 'p {{answer_b}}', 'first', 'second');
  assert.ok(
    filled.includes('Reply A:\nfirst') && filled.includes('Reply B:\nsecond') && filled.includes('p {{answer_b}}'),
  );
  const bad = join(mkdtempSync(join(tmpdir(), 'tpl-')), 't.md');
  writeFileSync(bad, 'Which is better? {{answer_a}} {{answer_b}}');
  assert.throws(() => loadJudgeTemplate(bad), /needs the placeholders \{\{prompt\}\}/);
  assert.deepEqual(
    [retryAfterMs('3', 60_000), retryAfterMs(null, 60_000), retryAfterMs('999', 5_000)],
    [3000, undefined, 5000],
  );
});

test(
  'faults: 429 with Retry-After, 500, a hang past the timeout, a reset and garbage verdicts; ' +
    'counts right, nothing lost; a re-run hits the cache',
  async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'judge-cache-'));
    const waits: number[] = [],
      logs: string[] = [];
    const run = () =>
      judgeWinRate({
        items,
        config: config(),
        template,
        cacheDir,
        seed: 3,
        resamples: 500,
        log: (l) => logs.push(l),
        sleep: async (ms) => void waits.push(ms),
      });
    const { result, judgments } = await run();
    // items 0..7: even ones the policy wins, odd ones it loses; item 5 (odd) stays unreadable → invalid,
    // left out of the rate: 4 wins of the 7 readable
    assert.deepEqual([result.n, result.wins, result.losses, result.invalid, result.ties], [8, 4, 3, 1, 0]);
    assert.equal(result.winRate, 4 / 7);
    assert.equal(judgments[5].invalid, true);
    assert.deepEqual(judgments[5].verdicts, [null]);
    // 8 first requests + 4 retries (429, 500, hang, reset) + 2 re-asks for unreadable verdicts
    assert.deepEqual([result.usage.requests, result.usage.retries, result.usage.cacheHits], [14, 4, 0]);
    assert.equal(result.usage.promptTokens, 100 * (14 - 4 + 0));
    assert.ok(waits.includes(2000), `Retry-After: 2 must be honoured, waits were ${waits}`);
    assert.ok(
      judgments.every((j) => j.orders.length === 1) && new Set(judgments.map((j) => j.orders[0])).size === 2,
      'answer order is drawn per item',
    );
    assert.ok(authHeaders.every((h) => h === 'Bearer sk-test-secret-123'));
    assert.ok(!logs.join('\n').includes('sk-test-secret'), 'the key is never logged');

    const again = await run();
    assert.deepEqual([again.result.usage.requests, again.result.usage.cacheHits], [0, 8]);
    assert.deepEqual(again.judgments, judgments);
    assert.equal(again.result.winRate, result.winRate);
  },
);

test(
  'both orders: a judge that always picks the first ' + 'answer disagrees with itself on every item; all ties',
  async () => {
    alwaysFirst = true;
    try {
      const plain = items.filter((i) => !(i.prompt in faults));
      const { result, judgments } = await judgeWinRate({
        items: plain,
        config: config({ bothOrders: true }),
        template,
        cacheDir: mkdtempSync(join(tmpdir(), 'judge-cache-')),
        seed: 1,
        resamples: 200,
      });
      assert.deepEqual(
        [result.n, result.ties, result.orderDisagreements, result.winRate, result.firstPositionRate],
        [2, 2, 2, 0.5, 1],
      );
      assert.deepEqual(judgments[0].orders, ['policy-first', 'baseline-first']);
    } finally {
      alwaysFirst = false;
    }
  },
);

test('a budget stops the run cleanly; the re-run pays only for what was not finished', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'judge-cache-'));
  const plain = Array.from({ length: 6 }, (_, i) => ({ prompt: `budget ${i}`, policy: 'good', baseline: `bad ${i}` }));
  const cfg = config({ budget: { requests: 4 }, concurrency: 1, template: 'dialogue' });
  await assert.rejects(
    judgeWinRate({ items: plain, config: cfg, template, cacheDir, seed: 2, resamples: 200 }),
    (e: Error) =>
      e instanceof JudgeRunError &&
      /stopped after 4 of 6 items: the judge's request budget \(4\) is spent/.test(e.message),
  );
  const rest = await judgeWinRate({ items: plain, config: config(), template, cacheDir, seed: 2, resamples: 200 });
  assert.deepEqual([rest.result.usage.requests, rest.result.usage.cacheHits, rest.result.wins], [2, 4, 6]);
});

test('a 401 is not retried, and the error does not contain the key', async () => {
  faults['prompt x'] = '401';
  const client = new ChatClient(config());
  await assert.rejects(
    client.complete([{ role: 'user', content: 'Conversation:\nprompt x\n' }]),
    (e: Error) =>
      e instanceof ChatRequestError &&
      /HTTP 401.*\$SPO_TEST_JUDGE_KEY/.test(e.message) &&
      !e.message.includes('sk-test'),
  );
  assert.equal(client.usage.requests, 1);
});
