// `spo serve`: an OpenAI-compatible chat-completions server over a trained checkpoint, so a person can
// talk to a model and the judge pipeline can run end to end on loopback. POST /v1/chat/completions
// (model, messages, max_tokens, temperature, top_p, seed; no streaming, n = 1) and GET /v1/models.
// A prompt longer than the model's context keeps its end, and the response says how many tokens it lost
// in the `x-spo-prompt-truncated` header. Requests are answered one at a time.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { generate, loadCheckpoint } from '@spo/model';
import { encodePrompt, hhPrompt, loadTokenizer, HfTokenizer, type ChatMessage } from '@spo/data';

export const PROMPT_FORMATS = ['raw', 'hh', 'template'] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

export interface ServeOptions {
  checkpoint: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** raw: the last user message is the prompt (the synthetic tasks); hh: "\n\nHuman: ...\n\nAssistant:"; template: the tokenizer's chat template. */
  format: PromptFormat;
  /** The name /v1/models lists (default: the checkpoint's folder names). */
  modelName?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(readonly status: number, message: string, readonly param?: string) {
    super(message);
  }
}

const DEFAULT_MAX_TOKENS = 64;
const ROLES = new Set(['system', 'user', 'assistant']);

export async function startChatServer(o: ServeOptions): Promise<RunningServer> {
  const log = o.log ?? ((line: string) => console.error(line));
  const { model } = loadCheckpoint(o.checkpoint, false);
  const tokenizer = loadTokenizer(o.checkpoint);
  if (o.format === 'template' && !(tokenizer instanceof HfTokenizer)) throw new Error(`--format template needs a Hugging Face tokenizer with a chat template; ${o.checkpoint} has the project's word-level one (use raw or hh)`);
  const name = o.modelName ?? resolve(o.checkpoint).split('/').slice(-2).join('/');
  const context = model.config.maxPositions;
  let served = 0;

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
    const messages = body?.messages;
    if (!Array.isArray(messages) || messages.length === 0) throw new RequestError(400, '"messages" must be a non-empty array of {role, content}', 'messages');
    messages.forEach((m: any, i: number) => {
      if (!ROLES.has(m?.role) || typeof m?.content !== 'string') throw new RequestError(400, `messages[${i}] must have a role (system, user, assistant) and a string content`, `messages.${i}`);
    });
    const number = (key: string, fallback: number, ok: (x: number) => boolean) => {
      const v = body[key] ?? fallback;
      if (typeof v !== 'number' || !ok(v)) throw new RequestError(400, `"${key}" is out of range`, key);
      return v;
    };
    const maxTokens = Math.min(number('max_tokens', DEFAULT_MAX_TOKENS, (x) => Number.isInteger(x) && x > 0), context - 2);
    const temperature = number('temperature', 1, (x) => x >= 0 && x <= 2);
    const topP = number('top_p', 1, (x) => x > 0 && x <= 1);
    let ids = encodePrompt(tokenizer, render(messages));
    const room = context - maxTokens;
    const truncated = Math.max(0, ids.length - room);
    if (truncated > 0) ids = [ids[0], ...ids.slice(ids.length - room + 1)];
    const started = performance.now();
    const [tokens] = generate(model, [ids], { maxNewTokens: maxTokens, temperature, topP, batchSize: 1, padToken: tokenizer.padId, stopToken: tokenizer.eosId, seed: body.seed ?? `serve/${served}` });
    served++;
    const reply = {
      id: `chatcmpl-${served}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: name,
      choices: [{ index: 0, message: { role: 'assistant', content: tokenizer.decode(tokens) }, finish_reason: tokens.length < maxTokens ? 'stop' : 'length' }],
      usage: { prompt_tokens: ids.length, completion_tokens: tokens.length, total_tokens: ids.length + tokens.length },
    };
    log(`[serve] #${served}: ${ids.length} prompt tokens${truncated ? ` (${truncated} cut)` : ''}, ${tokens.length} new in ${Math.round(performance.now() - started)} ms`);
    send(res, 200, reply, truncated ? { 'x-spo-prompt-truncated': String(truncated) } : {});
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      try {
        const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
        if (req.method === 'GET' && path === '/v1/models') return send(res, 200, { object: 'list', data: [{ id: name, object: 'model', owned_by: 'spo-lab' }] });
        if (req.method !== 'POST' || path !== '/v1/chat/completions') throw new RequestError(404, `no route ${req.method} ${path}; this server has POST /v1/chat/completions and GET /v1/models`);
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          throw new RequestError(400, 'the request body is not JSON');
        }
        complete(body, res);
      } catch (error) {
        const e = error instanceof RequestError ? error : new RequestError(500, (error as Error).message);
        send(res, e.status, { error: { message: e.message, type: e.status === 500 ? 'server_error' : 'invalid_request_error', param: e.param ?? null } });
      }
    });
  });
  await new Promise<void>((r) => server.listen(o.port, o.host, r));
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host}:${port}/v1`;
  log(`[serve] ${o.checkpoint} (${model.parameterCount().toLocaleString('en')} parameters, context ${context}) on ${url} as "${name}", prompt format ${o.format}`);
  return {
    url,
    close: () => new Promise<void>((r) => {
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
