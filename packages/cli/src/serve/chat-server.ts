// `spo serve`: an OpenAI-compatible chat-completions server over a trained checkpoint, so a person can
// talk to a model and the judge pipeline can run end to end on loopback. POST /v1/chat/completions
// (model, messages, max_tokens, temperature, top_p, seed; no streaming, n = 1) and GET /v1/models.
// - A prompt is never cut to make room for max_tokens: max_tokens is clamped to what the context leaves,
//   and the reply says so (`x-spo-max-tokens` header and a `warnings` entry). Only a prompt that cannot
//   fit with even one new token keeps its end, said in the `x-spo-prompt-truncated` header.
// - `model` must be the served model's name (or left out); `seed` must be an integer.
// - Bodies over maxBodyBytes get a 413. Requests are answered one at a time from a queue of at most
//   maxQueue; past that a 503 with Retry-After, never an unbounded backlog.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { generate, readPretrained } from '@spo/model';
import { encodePrompt, hhPrompt, tokenizerFromFiles, HfTokenizer, type ChatMessage } from '@spo/data';

export const PROMPT_FORMATS = ['raw', 'hh', 'template'] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

export interface ServeOptions {
  checkpoint: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * raw: the last user message is the prompt (the synthetic tasks); hh: "\n\nHuman: ...\n\nAssistant:"; template: the
   * tokenizer's chat template.
   */
  format: PromptFormat;
  /** The name /v1/models lists and requests must use (default: the checkpoint's folder names). */
  modelName?: string;
  /** Largest request body accepted (default 1 MB). */
  maxBodyBytes?: number;
  /** Requests waiting or in progress before new ones get a 503 (default 8). */
  maxQueue?: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_TOKENS = 64;
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
export const DEFAULT_MAX_QUEUE = 8;
const ROLES = new Set(['system', 'user', 'assistant']);

export async function startChatServer(o: ServeOptions): Promise<RunningServer> {
  const log = o.log ?? ((line: string) => console.error(line));
  const { model, tokenizerFiles } = readPretrained(o.checkpoint, false);
  const tokenizer = tokenizerFromFiles(tokenizerFiles, o.checkpoint);
  if (o.format === 'template' && !(tokenizer instanceof HfTokenizer))
    throw new Error(
      `--format template needs a Hugging Face tokenizer with a chat template; ` +
        `${o.checkpoint} has the project's word-level one (use raw or hh)`,
    );
  const name = o.modelName ?? resolve(o.checkpoint).split('/').slice(-2).join('/');
  const context = model.config.maxPositions;
  const maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxQueue = o.maxQueue ?? DEFAULT_MAX_QUEUE;
  let served = 0,
    busySeconds = 0;

  const render = (messages: ChatMessage[]): string => {
    if (o.format === 'hh') return hhPrompt(messages);
    if (o.format === 'template') return (tokenizer as HfTokenizer).applyChatTemplate(messages);
    const user = messages.filter((m) => m.role === 'user').at(-1);
    if (!user) throw new RequestError(400, 'messages has no user message', 'messages');
    return user.content;
  };

  const complete = (body: any, res: ServerResponse) => {
    if (body?.stream) throw new RequestError(400, 'streaming is not supported; leave "stream" out', 'stream');
    if (body?.n !== undefined && body.n !== 1) throw new RequestError(400, 'only n = 1 is supported', 'n');
    if (body?.model !== undefined && body.model !== name)
      throw new RequestError(
        404,
        `the model "${body.model}" is not served here; this server serves "${name}" (or leave "model" out)`,
        'model',
      );
    if (body?.seed !== undefined && body.seed !== null && !Number.isSafeInteger(body.seed))
      throw new RequestError(400, '"seed" must be an integer', 'seed');
    const messages = body?.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      throw new RequestError(400, '"messages" must be a non-empty array of {role, content}', 'messages');
    messages.forEach((m: any, i: number) => {
      if (!ROLES.has(m?.role) || typeof m?.content !== 'string')
        throw new RequestError(
          400,
          `messages[${i}] must have a role (system, user, assistant) and a string content`,
          `messages.${i}`,
        );
    });
    const number = (key: string, fallback: number, ok: (x: number) => boolean) => {
      const v = body[key] ?? fallback;
      if (typeof v !== 'number' || !ok(v)) throw new RequestError(400, `"${key}" is out of range`, key);
      return v;
    };
    const asked = number('max_tokens', DEFAULT_MAX_TOKENS, (x) => Number.isInteger(x) && x > 0);
    const temperature = number('temperature', 1, (x) => x >= 0 && x <= 2);
    const topP = number('top_p', 1, (x) => x > 0 && x <= 1);
    let ids = encodePrompt(tokenizer, render(messages));
    // only a prompt that leaves no room for one new token is cut (keeping its start token and its end)
    const truncated = Math.max(0, ids.length - (context - 1));
    if (truncated > 0) ids = [ids[0], ...ids.slice(ids.length - (context - 1) + 1)];
    const maxTokens = Math.min(asked, context - ids.length);
    const warnings = [
      ...(maxTokens < asked
        ? [
            `max_tokens ${asked} was lowered to ${maxTokens}: ` +
              `the prompt's ${ids.length} tokens leave ${maxTokens} of the model's context of ${context}`,
          ]
        : []),
      ...(truncated
        ? [
            `the prompt was ${ids.length + truncated} tokens, over the model's context of ${context}; ` +
              `its first ${truncated} tokens after the start token were cut`,
          ]
        : []),
    ];
    const started = performance.now();
    const [tokens] = generate(model, [ids], {
      maxNewTokens: maxTokens,
      temperature,
      topP,
      batchSize: 1,
      padToken: tokenizer.padId,
      stopToken: tokenizer.eosId,
      seed: body.seed ?? `serve/${served}`,
    });
    served++;
    const reply = {
      id: `chatcmpl-${served}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: name,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: tokenizer.decode(tokens) },
          finish_reason: tokens.length < maxTokens ? 'stop' : 'length',
        },
      ],
      usage: { prompt_tokens: ids.length, completion_tokens: tokens.length, total_tokens: ids.length + tokens.length },
      ...(warnings.length ? { warnings } : {}),
    };
    const seconds = (performance.now() - started) / 1000;
    busySeconds += seconds;
    log(
      `[serve] #${served}: ${ids.length} prompt tokens${truncated ? ` (${truncated} cut)` : ''}, ` +
        `${tokens.length} new of ${maxTokens}${maxTokens < asked ? ` (asked ${asked})` : ''} ` +
        `in ${Math.round(seconds * 1000)} ms`,
    );
    send(res, 200, reply, {
      ...(truncated ? { 'x-spo-prompt-truncated': String(truncated) } : {}),
      ...(maxTokens < asked ? { 'x-spo-max-tokens': String(maxTokens) } : {}),
    });
  };

  // one request at a time: generation is synchronous, so between requests the event loop takes in new
  // ones, which wait here or, past maxQueue, are turned away with a 503 and when to try again
  const queue: (() => void)[] = [];
  let working = false;
  const drain = () => {
    const next = queue.shift();
    if (!next) return void (working = false);
    working = true;
    next();
    setImmediate(drain);
  };
  const enqueue = (res: ServerResponse, job: () => void) => {
    if (queue.length + (working ? 1 : 0) >= maxQueue) {
      const perRequest = served ? busySeconds / served : 1;
      const retryAfter = Math.max(1, Math.ceil((queue.length + 1) * perRequest));
      return send(
        res,
        503,
        {
          error: {
            message:
              `the server is busy: ${queue.length + 1} requests ahead ` +
              `(at most ${maxQueue}); try again in ${retryAfter} s`,
            type: 'server_busy',
            param: null,
          },
        },
        { 'retry-after': String(retryAfter) },
      );
    }
    queue.push(job);
    if (!working) {
      working = true;
      setImmediate(drain);
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fail = (error: unknown) => {
      const e = error instanceof RequestError ? error : new RequestError(500, (error as Error).message);
      const type =
        e.status === 500
          ? 'server_error'
          : e.status === 404 && e.param === 'model'
            ? 'model_not_found'
            : 'invalid_request_error';
      send(res, e.status, { error: { message: e.message, type, param: e.param ?? null } });
    };
    const chunks: Buffer[] = [];
    let bytes = 0,
      tooLarge = false;
    const declared = Number(req.headers['content-length'] ?? 0);
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (tooLarge) return;
      if (bytes > maxBodyBytes || declared > maxBodyBytes) {
        tooLarge = true;
        res.setHeader('connection', 'close');
        fail(new RequestError(413, `the request body is over ${maxBodyBytes} bytes (spo serve --max-body-bytes)`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      try {
        const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
        if (req.method === 'GET' && path === '/v1/models')
          return send(res, 200, { object: 'list', data: [{ id: name, object: 'model', owned_by: 'spo-lab' }] });
        if (req.method !== 'POST' || path !== '/v1/chat/completions')
          throw new RequestError(
            404,
            `no route ${req.method} ${path}; this server has POST /v1/chat/completions and GET /v1/models`,
          );
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new RequestError(400, 'the request body is not JSON');
        }
        enqueue(res, () => {
          try {
            complete(body, res);
          } catch (error) {
            fail(error);
          }
        });
      } catch (error) {
        fail(error);
      }
    });
  });
  await new Promise<void>((r) => server.listen(o.port, o.host, r));
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host}:${port}/v1`;
  log(
    `[serve] ${o.checkpoint} (${model.parameterCount().toLocaleString('en')} parameters, context ${context}) ` +
      `on ${url} as "${name}", prompt format ${o.format}`,
  );
  return {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => {
          model.dispose();
          r();
        });
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
