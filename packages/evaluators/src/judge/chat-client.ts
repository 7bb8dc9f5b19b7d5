// A client for an OpenAI-compatible `/chat/completions` endpoint that survives a flaky API: bounded
// retries with exponential backoff and full jitter on 429, 5xx, timeouts and connection errors,
// Retry-After honoured, every other status an immediate error. It counts requests and tokens against
// a budget. The API key is read from the environment once and is never put in an error or a log.
import type { ChatMessage } from '@spo/data';
import type { JudgeConfig } from './judge-config.js';

export interface Completion {
  content: string;
  promptTokens: number;
  completionTokens: number;
  /** HTTP requests this completion took (1 + retries). */
  requests: number;
}

export class BudgetExhaustedError extends Error {}
export class ChatRequestError extends Error {}

export interface Usage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  retries: number;
}

type ClientConfig = Pick<
  JudgeConfig,
  | 'baseUrl'
  | 'model'
  | 'apiKeyEnv'
  | 'temperature'
  | 'maxTokens'
  | 'timeoutMs'
  | 'maxRetries'
  | 'backoffMs'
  | 'maxBackoffMs'
  | 'budget'
>;

export class ChatClient {
  readonly usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, retries: 0 };
  private readonly apiKey: string | undefined;
  private readonly url: string;

  constructor(
    private readonly config: ClientConfig,
    private readonly log: (line: string) => void = () => {},
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {
    this.apiKey = process.env[config.apiKeyEnv];
    this.url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    if (!this.apiKey)
      log(
        `[judge] $${config.apiKeyEnv} is not set: ` +
          `sending no Authorization header (fine for a local server such as \`spo serve\`)`,
      );
  }

  async complete(messages: ChatMessage[]): Promise<Completion> {
    for (let attempt = 0; ; attempt++) {
      this.chargeRequest();
      const outcome = await this.attempt(messages);
      if ('completion' in outcome) return { ...outcome.completion, requests: attempt + 1 };
      if (attempt >= this.config.maxRetries) {
        throw new ChatRequestError(
          `${this.url}: gave up after ${attempt + 1} requests; ` +
            `last: ${outcome.reason}. Raise eval.judge.maxRetries or check the endpoint.`,
        );
      }
      const backoff = Math.random() * Math.min(this.config.maxBackoffMs, this.config.backoffMs * 2 ** attempt);
      const wait = outcome.retryAfterMs ?? backoff;
      this.usage.retries++;
      this.log(
        `[judge] ${outcome.reason}; retry ${attempt + 1}/${this.config.maxRetries} in ${(wait / 1000).toFixed(1)} s`,
      );
      await this.sleep(wait);
    }
  }

  private chargeRequest(): void {
    const { requests, tokens } = this.config.budget;
    if (requests !== undefined && this.usage.requests >= requests)
      throw new BudgetExhaustedError(`the judge's request budget (${requests}) is spent`);
    if (tokens !== undefined && this.usage.promptTokens + this.usage.completionTokens >= tokens)
      throw new BudgetExhaustedError(`the judge's token budget (${tokens}) is spent`);
    this.usage.requests++;
  }

  private async attempt(
    messages: ChatMessage[],
  ): Promise<{ completion: Omit<Completion, 'requests'> } | { reason: string; retryAfterMs?: number }> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.config.model,
          messages,
          temperature: this.config.temperature,
          max_tokens: this.config.maxTokens,
        }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      return { reason: describeNetworkError(error, this.config.timeoutMs) };
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      return { reason: describeNetworkError(error, this.config.timeoutMs) };
    }
    if (response.status === 429 || response.status >= 500) {
      return {
        reason: `HTTP ${response.status}`,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after'), this.config.maxBackoffMs),
      };
    }
    if (!response.ok)
      throw new ChatRequestError(
        `${this.url}: HTTP ${response.status}: ${body.slice(0, 300)}` +
          (response.status === 401 ? ` (is $${this.config.apiKeyEnv} set to a valid key?)` : ''),
      );
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      return { reason: `a response that is not JSON (${JSON.stringify(body.slice(0, 80))})` };
    }
    const content = json?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') return { reason: 'a response without choices[0].message.content' };
    const promptTokens = Number(json.usage?.prompt_tokens ?? 0),
      completionTokens = Number(json.usage?.completion_tokens ?? 0);
    this.usage.promptTokens += promptTokens;
    this.usage.completionTokens += completionTokens;
    return { completion: { content, promptTokens, completionTokens } };
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return `connection error ${e.cause?.code ?? e.code ?? (error as Error).message}`;
}

/** Retry-After as seconds or an HTTP date, in ms, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, capMs: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(capMs, Math.max(0, ms)) : undefined;
}
