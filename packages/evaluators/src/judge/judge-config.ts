// LLM-judge settings and their defaults (the one place they are declared).
import { z } from 'zod';

export const JudgeConfigSchema = z
  .object({
    /** An OpenAI-compatible API root: requests go to `${baseUrl}/chat/completions` (e.g. https://api.openai.com/v1). */
    baseUrl: z.string().url(),
    model: z.string().min(1),
    /** The environment variable holding the API key; the key itself never goes in a config, a log or a file. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. OPENAI_API_KEY')
      .default('OPENAI_API_KEY'),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().positive().default(256),
    /** "dialogue", "summarization", or the path of a template file with {{prompt}}, {{answer_a}} and {{answer_b}}. */
    template: z.string().min(1).default('dialogue'),
    /** Judge each item in both orders; a disagreement between the two counts as a tie. */
    bothOrders: z.boolean().default(false),
    /** Requests in flight at once. */
    concurrency: z.number().int().positive().default(4),
    /** Per-request timeout; a request that takes longer is retried. */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Retries of one request after 429, 5xx, timeouts and connection resets. */
    maxRetries: z.number().int().nonnegative().default(6),
    /**
     * Backoff before retry r is uniform in [0, min(maxBackoffMs, backoffMs · 2^r)] (full jitter), or Retry-After when
     * the server sends it.
     */
    backoffMs: z.number().int().positive().default(1_000),
    maxBackoffMs: z.number().int().positive().default(60_000),
    /**
     * Caps for one run: HTTP requests sent (retries included) and tokens billed; the run stops
     * cleanly when one is reached.
     */
    budget: z
      .object({
        requests: z.number().int().positive().optional(),
        tokens: z.number().int().positive().optional(),
      })
      .strict()
      .default({}),
    /** Where judgments are cached ($SPO_CACHE_DIR/judge, else .cache/spo/judge, when unset). */
    cacheDir: z.string().optional(),
  })
  .strict();

export type JudgeConfig = z.infer<typeof JudgeConfigSchema>;
