// End to end on loopback: `spo serve` over a checkpoint of the quickstart's model and task (SFT'd
// briefly here), then the LLM-judge pipeline against it. A tiny model writes no verdicts worth the
// name, so this checks the plumbing: every item is accounted for, nothing is lost, a re-run is free.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { initCausalLM, ModelShapeSchema } from '@spo/model';
import { prepareSynthetic, SyntheticDataConfigSchema } from '@spo/data';
import { TrainConfigSchema, trainSft } from '@spo/trainer';
import { JudgeConfigSchema, judgeWinRate, loadJudgeTemplate } from '@spo/evaluators';
import { startChatServer } from './chat-server.js';

await initBackend(undefined, () => {});
const quickstart = JSON.parse(
  readFileSync(new URL('../../../../experiments/quickstart/config.json', import.meta.url), 'utf8'),
);
const ds = prepareSynthetic(
  SyntheticDataConfigSchema.parse({
    ...quickstart.data,
    sftExamples: 256,
    preferencePairs: 8,
    validationPairs: 0,
    evalPrompts: 6,
  }),
  1,
);
const dir = mkdtempSync(join(tmpdir(), 'serve-'));
const model = initCausalLM(
  { ...ModelShapeSchema.parse(quickstart.model), vocabSize: ds.tokenizer.size, dModel: 32, nLayers: 1 },
  1,
);
trainSft({
  model,
  tokenizer: ds.tokenizer,
  examples: ds.sft,
  config: TrainConfigSchema.parse({ steps: 30, batchSize: 16, lr: 1e-2, warmupSteps: 2, checkpointEvery: 100 }),
  seed: 1,
  dir,
  log: () => {},
});
const server = await startChatServer({
  checkpoint: join(dir, 'final'),
  host: '127.0.0.1',
  port: 0,
  format: 'raw',
  modelName: 'dpo-spo',
  maxBodyBytes: 20_000,
  log: () => {},
});
after(() => server.close());

const post = (body: unknown, url = server.url) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('serve: an OpenAI-shaped completion, seeded; bad requests get a 400 that names the field', async () => {
  const body = {
    model: 'dpo-spo',
    messages: [{ role: 'user', content: ds.eval[0].prompt }],
    max_tokens: 20,
    temperature: 1,
    seed: 7,
  };
  const a: any = await (await post(body)).json();
  assert.equal(a.object, 'chat.completion');
  assert.equal(a.choices[0].message.role, 'assistant');
  assert.equal(typeof a.choices[0].message.content, 'string');
  assert.ok(a.usage.prompt_tokens > 0 && a.usage.total_tokens === a.usage.prompt_tokens + a.usage.completion_tokens);
  assert.deepEqual(((await (await post(body)).json()) as any).choices, a.choices, 'the same seed gives the same reply');
  const bad = await post({ messages: [{ role: 'robot', content: 'hi' }] });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as any).error.param, 'messages.0');
  assert.equal((await post({ messages: body.messages, stream: true })).status, 400);
  const long = await post({ messages: [{ role: 'user', content: 'word '.repeat(200) }], max_tokens: 10 });
  assert.equal(long.status, 200);
  assert.ok(
    Number(long.headers.get('x-spo-prompt-truncated')) > 0,
    'a prompt past the whole context keeps its end and says so',
  );
  assert.equal((await fetch(`${server.url}/models`)).status, 200);
});

test(
  'serve: max_tokens is clamped to what ' +
    'the context leaves, the prompt is never cut for it, ' +
    'and the reply says so',
  async () => {
    const prompt = ds.eval[0].prompt; // a few tokens in a context of 64
    const r = await post({ messages: [{ role: 'user', content: prompt }], max_tokens: 500, temperature: 0 });
    assert.equal(r.status, 200);
    const reply: any = await r.json();
    assert.equal(r.headers.get('x-spo-prompt-truncated'), null, 'the prompt is whole');
    assert.equal(reply.usage.prompt_tokens + Number(r.headers.get('x-spo-max-tokens')), 64);
    assert.match(
      reply.warnings[0],
      /max_tokens 500 was lowered to \d+: the prompt's \d+ tokens leave \d+ of the model's context of 64/,
    );
    assert.ok(reply.usage.completion_tokens <= 64 - reply.usage.prompt_tokens);
  },
);

test('serve: a wrong model name, a non-integer seed and an oversize body are refused with what to change', async () => {
  const messages = [{ role: 'user', content: 'hi' }];
  const wrong = await post({ model: 'gpt-4o', messages });
  assert.equal(wrong.status, 404);
  const w: any = await wrong.json();
  assert.equal(w.error.type, 'model_not_found');
  assert.match(w.error.message, /"gpt-4o" is not served here; this server serves "dpo-spo"/);
  for (const seed of [1.5, '7', 2 ** 60]) {
    const bad = await post({ messages, seed });
    assert.equal(bad.status, 400, `seed ${seed}`);
    assert.equal(((await bad.json()) as any).error.param, 'seed');
  }
  const big = await post({ messages: [{ role: 'user', content: 'x'.repeat(30_000) }] });
  assert.equal(big.status, 413);
  assert.match(((await big.json()) as any).error.message, /over 20000 bytes \(spo serve --max-body-bytes\)/);
  assert.equal((await post({ messages, max_tokens: 2 })).status, 200, 'the server still answers after a refused body');
});

test('serve: past its queue the server answers 503 with Retry-After instead of an unbounded backlog', async () => {
  const small = await startChatServer({
    checkpoint: join(dir, 'final'),
    host: '127.0.0.1',
    port: 0,
    format: 'raw',
    maxQueue: 1,
    log: () => {},
  });
  try {
    const replies = await Promise.all(
      Array.from({ length: 16 }, () =>
        post({ messages: [{ role: 'user', content: ds.eval[1].prompt }], max_tokens: 60, temperature: 1 }, small.url),
      ),
    );
    const statuses = replies.map((r) => r.status);
    assert.ok(statuses.includes(200) && statuses.includes(503), statuses.join(','));
    assert.ok(
      statuses.every((s) => s === 200 || s === 503),
      statuses.join(','),
    );
    for (const r of replies.filter((x) => x.status === 503)) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.match(
        ((await r.json()) as any).error.message,
        /the server is busy: \d+ requests ahead \(at most 1\); try again in \d+ s/,
      );
    }
  } finally {
    await small.close();
  }
});

test(
  'judge -> spo serve: every item is counted (unreadable verdicts as invalid), ' +
    'tokens reported, a re-run hits the cache',
  async () => {
    const items = ds.eval.map((e, i) => ({
      prompt: e.prompt,
      policy: ds.sft[i].response,
      baseline: ds.sft[i + 10].response,
    }));
    const config = JudgeConfigSchema.parse({
      baseUrl: server.url,
      model: 'dpo-spo',
      apiKeyEnv: 'SPO_SERVE_TEST_KEY',
      temperature: 1,
      maxTokens: 8,
      concurrency: 2,
      timeoutMs: 30_000,
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'judge-cache-'));
    const run = () =>
      judgeWinRate({ items, config, template: loadJudgeTemplate('summarization'), cacheDir, seed: 1, resamples: 200 });
    const { result } = await run();
    assert.equal(result.n, items.length);
    assert.equal(result.wins + result.ties + result.losses + result.invalid, items.length);
    assert.equal(
      result.usage.requests,
      items.length + result.invalid,
      'one request per item, plus one re-ask per unreadable verdict',
    );
    assert.ok(result.usage.promptTokens > 0 && result.usage.completionTokens > 0);
    const again = await run();
    assert.deepEqual([again.result.usage.requests, again.result.usage.cacheHits], [0, items.length]);
    assert.equal(again.result.winRate, result.winRate);
  },
);
