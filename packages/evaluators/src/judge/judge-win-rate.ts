// LLM-judge win rate of a policy's responses against a baseline's (the DPO paper's protocol: the judge
// sees the prompt and the two answers, writes a short comparison, then the letter of the better one).
// Which answer comes first is drawn per item with a seed and recorded; with `bothOrders` each item is
// judged both ways and a disagreement counts as a tie. A verdict that cannot be read is asked for once
// more, then counted as invalid: the win rate is over the readable verdicts only (NaN when there are
// none), and the invalid ones are counted and reported. Any other failure (retries or budget spent)
// stops the run with every finished judgment in the cache.
import pLimit from 'p-limit';
import { Rng } from '@spo/engine';
import { bootstrapMean, type Interval } from '../bootstrap.js';
import { ChatClient, type Usage } from './chat-client.js';
import { JudgeCache, type CachedJudgment } from './judge-cache.js';
import type { JudgeConfig } from './judge-config.js';
import { fillTemplate, type JudgeTemplate } from './judge-template.js';
import { parseVerdict } from './verdict.js';

export interface JudgeItem {
  prompt: string;
  policy: string;
  baseline: string;
}

export type AnswerOrder = 'policy-first' | 'baseline-first';

export interface ItemJudgment {
  orders: AnswerOrder[];
  /** The judge's letter per order ('A' = the first answer shown), null where it was unreadable. */
  verdicts: ('A' | 'B' | null)[];
  /** 1 policy better, 0 baseline better, ½ tie (orders disagree) or invalid. */
  outcome: 0 | 0.5 | 1;
  invalid: boolean;
  orderDisagreement: boolean;
}

export interface JudgeWinRate {
  n: number;
  wins: number;
  ties: number;
  losses: number;
  /** Items with an unreadable verdict after one retry (left out of the win rate). */
  invalid: number;
  /** Items judged both ways whose two verdicts disagree (counted as ties). */
  orderDisagreements: number;
  /** Over the readable items; NaN (and a NaN interval) when none was readable. */
  winRate: number;
  interval: Interval;
  /** Share of readable verdicts that picked the answer shown first (0.5 is no position bias). */
  firstPositionRate: number;
  /** This run's traffic; judgments served from the cache cost nothing. */
  usage: Usage & { cacheHits: number };
}

export interface JudgeRunArgs {
  items: readonly JudgeItem[];
  config: JudgeConfig;
  template: JudgeTemplate;
  cacheDir: string;
  seed: number | string;
  resamples: number;
  log?: (line: string) => void;
  /** Injected in tests to skip real waiting. */
  sleep?: (ms: number) => Promise<void>;
}

export class JudgeRunError extends Error {}

export async function judgeWinRate(a: JudgeRunArgs): Promise<{ result: JudgeWinRate; judgments: ItemJudgment[] }> {
  const log = a.log ?? (() => {});
  const client = new ChatClient(a.config, log, a.sleep);
  const cache = new JudgeCache(a.cacheDir);
  const orderRng = new Rng(`${a.seed}/judge-order`);
  const plans: AnswerOrder[][] = a.items.map(() =>
    a.config.bothOrders
      ? ['policy-first', 'baseline-first']
      : [orderRng.bernoulli(0.5) ? 'policy-first' : 'baseline-first'],
  );
  const inFlight = new Map<string, Promise<CachedJudgment>>();
  const judgeOnce = (prompt: string, first: string, second: string): Promise<CachedJudgment> => {
    const key = JudgeCache.keyOf({ template: a.template.text, model: a.config.model, prompt, first, second });
    const known = inFlight.get(key);
    if (known) return known;
    const job = (async () => {
      const cached = cache.get(key);
      if (cached) return cached;
      const messages = [{ role: 'user' as const, content: fillTemplate(a.template, prompt, first, second) }];
      let c = await client.complete(messages),
        requests = c.requests,
        promptTokens = c.promptTokens,
        completionTokens = c.completionTokens;
      let verdict = parseVerdict(c.content);
      if (verdict === undefined) {
        log(`[judge] unreadable verdict ${JSON.stringify(c.content.slice(-60))}; asking once more`);
        c = await client.complete(messages);
        requests += c.requests;
        promptTokens += c.promptTokens;
        completionTokens += c.completionTokens;
        verdict = parseVerdict(c.content);
      }
      const judgment: CachedJudgment = {
        verdict: verdict ?? null,
        text: c.content,
        promptTokens,
        completionTokens,
        requests,
      };
      cache.set(key, judgment);
      return judgment;
    })();
    inFlight.set(key, job);
    return job;
  };

  const limit = pLimit(a.config.concurrency);
  let stopped: Error | undefined,
    done = 0;
  const total = plans.reduce((s, p) => s + p.length, 0);
  const reportEvery = Math.max(1, Math.ceil(total / 10));
  const tasks = a.items.map((item, i) =>
    plans[i].map((order) =>
      limit(async () => {
        if (stopped) return undefined;
        try {
          const [first, second] =
            order === 'policy-first' ? [item.policy, item.baseline] : [item.baseline, item.policy];
          return await judgeOnce(item.prompt, first, second);
        } catch (error) {
          stopped ??= error as Error;
          return undefined;
        } finally {
          if (++done % reportEvery === 0)
            log(
              `[judge] ${done}/${total} judgments; ${client.usage.requests} requests, ` +
                `${client.usage.promptTokens + client.usage.completionTokens} tokens, ${cache.hits} from the cache`,
            );
        }
      }),
    ),
  );
  const results = await Promise.all(tasks.map((t) => Promise.all(t)));
  if (stopped) {
    const finished = results.filter((r) => r.every((j) => j !== undefined)).length;
    throw new JudgeRunError(
      `the judge stopped after ${finished} of ${a.items.length} items: ${stopped.message}. ` +
        `Finished judgments are cached in ${a.cacheDir}; re-running judges only the rest.`,
    );
  }
  const judgments = results.map((r, i) =>
    combine(
      plans[i],
      r.map((j) => j!.verdict),
    ),
  );
  const outcomes = judgments.filter((j) => !j.invalid).map((j) => j.outcome);
  const readable = judgments.flatMap((j) => j.verdicts.filter((v) => v !== null));
  const count = (p: (j: ItemJudgment) => boolean) => judgments.filter(p).length;
  return {
    judgments,
    result: {
      n: judgments.length,
      wins: count((j) => j.outcome === 1),
      ties: count((j) => j.outcome === 0.5 && !j.invalid),
      losses: count((j) => j.outcome === 0),
      invalid: count((j) => j.invalid),
      orderDisagreements: count((j) => j.orderDisagreement),
      winRate: outcomes.length ? outcomes.reduce<number>((s, o) => s + o, 0) / outcomes.length : Number.NaN,
      interval: outcomes.length
        ? bootstrapMean(outcomes, a.resamples, a.seed)
        : { low: Number.NaN, high: Number.NaN, level: 0.95 },
      firstPositionRate: readable.length ? readable.filter((v) => v === 'A').length / readable.length : Number.NaN,
      usage: { ...client.usage, cacheHits: cache.hits },
    },
  };
}

function combine(orders: AnswerOrder[], verdicts: ('A' | 'B' | null)[]): ItemJudgment {
  const policyWins = verdicts.map((v, i) => (v === null ? null : (v === 'A') === (orders[i] === 'policy-first')));
  const invalid = policyWins.some((w) => w === null);
  const disagree = !invalid && policyWins.some((w) => w !== policyWins[0]);
  const outcome = invalid || disagree ? 0.5 : policyWins[0] ? 1 : 0;
  return { orders, verdicts, outcome, invalid, orderDisagreement: disagree };
}
