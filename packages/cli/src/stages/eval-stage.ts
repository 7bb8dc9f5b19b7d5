// The eval stage: sample every policy (and the SFT model) on the held-out prompts, with the same random
// stream per prompt for every model, then compare each policy's samples with the baseline's (the SFT
// model's samples, or the dataset's chosen responses) by every evaluator the experiment has: the
// synthetic task's oracle, a reward model (the experiment's own or an ONNX one), and an LLM judge.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, readJsonFile, writeJsonAtomic } from '@spo/engine';
import { loadCheckpoint } from '@spo/model';
import { readPreparedDataset, syntheticTask, type PreparedDataset } from '@spo/data';
import type { PairAgreement } from '@spo/trainer';
import {
  judgeWinRate, loadJudgeTemplate, onnxRewardScorer, ownRewardScorer, sampleResponses, winRate,
  type JudgeWinRate, type RewardScorer, type WinRate,
} from '@spo/evaluators';
import { runStage, type StageDir } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';

export type ScoreEvaluator = 'oracle' | 'reward-model';

export interface MethodResults {
  name: string;
  loss: string;
  spo: boolean;
  trainSteps: number;
  trainTokensPerSecond: number;
  /** The final model's degree-level accuracy (SPO methods only). */
  degreeAccuracy?: number;
  oracle?: WinRate;
  rewardModel?: WinRate;
  judge?: JudgeWinRate;
}

export interface EvalResults {
  n: number;
  baseline: 'sft' | 'chosen';
  /** Mean score of the baseline's responses per score evaluator. */
  baselineMeanScore: Partial<Record<ScoreEvaluator, number>>;
  rewardModel?: { label: string; validation?: PairAgreement };
  judge?: { model: string; template: string; bothOrders: boolean };
  methods: MethodResults[];
}

/** Where judgments are cached: eval.judge.cacheDir, else $SPO_CACHE_DIR/judge or .cache/spo/judge. */
const judgeCacheDir = (configured?: string) => configured ?? join(process.env.SPO_CACHE_DIR ?? join('.cache', 'spo'), 'judge');

export async function evalStage(ctx: StageContext): Promise<void> {
  const dirs = stageDirs(ctx);
  const stage = dirs.eval;
  const { config } = ctx;
  const rmSource = config.eval.rewardModel ?? (config.rewardModel ? { kind: 'own' as const } : undefined);
  const requires: [StageDir, string][] = [[dirs.data, 'data'], [dirs.sft, 'sft'], ...config.methods.map((m) => [dirs.method(m.name), `train-${m.name}`] as [StageDir, string])];
  if (rmSource?.kind === 'own') requires.push([dirs.rm!, 'train-rm']);
  await runStage({ label: 'eval', stage, requires, force: ctx.force, log: ctx.log }, async () => {
    const ds = readPreparedDataset(join(dirs.data.dir, 'dataset'));
    const prompts = ds.eval.map((e) => e.prompt);
    checkSamplingFits(ctx, ds, prompts);

    // 1. samples
    const samplingSeed = `${config.seed}/eval`;
    const sample = (name: string, checkpoint: string) => {
      const { model } = loadCheckpoint(checkpoint, false);
      const started = performance.now();
      const responses = sampleResponses(model, ds.tokenizer, prompts, config.eval.sampling, samplingSeed);
      const seconds = (performance.now() - started) / 1000;
      model.dispose();
      const newTokens = responses.reduce((a, r) => a + ds.tokenizer.encode(r).length + 1, 0);
      ctx.log(`[eval] ${name}: ${responses.length} samples in ${seconds.toFixed(1)} s (${Math.round(newTokens / seconds)} tokens/s)`);
      return responses;
    };
    const baseline = config.eval.baseline === 'sft' ? sample('sft', join(dirs.sft.dir, 'final')) : chosenResponses(ds, prompts);
    const policies = new Map(config.methods.map((m) => [m.name, sample(m.name, join(dirs.method(m.name).dir, 'final'))]));

    // 2. scores: the oracle (synthetic tasks) and the reward model
    const scorers: [ScoreEvaluator, (responses: string[]) => Promise<Float32Array>][] = [];
    if (config.data.source === 'synthetic') {
      const task = syntheticTask(config.data.task);
      scorers.push(['oracle', async (responses) => Float32Array.from(responses, (r, i) => task.oracle(ds.eval[i].context, r))]);
    }
    let rm: RewardScorer | undefined;
    if (rmSource) {
      rm = rmSource.kind === 'own' ? ownRewardScorer(join(dirs.rm!.dir, 'final')) : await onnxRewardScorer(rmSource.path, rmSource);
      scorers.push(['reward-model', (responses) => rm!.score(prompts, responses)]);
    }
    const scores = new Map<string, Partial<Record<ScoreEvaluator, Float32Array>>>();
    for (const [name, responses] of [['baseline', baseline] as const, ...policies]) {
      const byEvaluator: Partial<Record<ScoreEvaluator, Float32Array>> = {};
      for (const [evaluator, score] of scorers) byEvaluator[evaluator] = await score(responses);
      scores.set(name, byEvaluator);
      writeFileSync(join(stage.dir, `samples-${name === 'baseline' ? config.eval.baseline : name}.jsonl`), responses.map((r, i) => JSON.stringify({
        prompt: prompts[i], response: r, ...Object.fromEntries(Object.entries(byEvaluator).map(([e, s]) => [e, s[i]])),
      })).join('\n') + '\n');
    }
    rm?.dispose();

    // 3. win rates, and the judge's
    const base = scores.get('baseline')!;
    const mean = (xs: Float32Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rmValidation = rmSource?.kind === 'own' && existsSync(join(dirs.rm!.dir, 'validation.json')) ? readJsonFile<PairAgreement>(join(dirs.rm!.dir, 'validation.json'), 'run the train-rm stage again with --force') : undefined;
    const results: EvalResults = {
      n: prompts.length,
      baseline: config.eval.baseline,
      baselineMeanScore: Object.fromEntries(Object.entries(base).map(([e, s]) => [e, mean(s)])),
      rewardModel: rm ? { label: rm.label, validation: rmValidation } : undefined,
      judge: config.eval.judge ? { model: config.eval.judge.model, template: config.eval.judge.template, bothOrders: config.eval.judge.bothOrders } : undefined,
      methods: [],
    };
    for (const m of config.methods) {
      const dir = dirs.method(m.name).dir;
      const train = readJsonFile<{ steps: number; tokensPerSecond: number }>(join(dir, 'train-summary.json'), `run the train-${m.name} stage again with --force`);
      const confusionPath = join(dir, 'degree-confusion.json');
      const own = scores.get(m.name)!;
      const rate = (e: ScoreEvaluator) => (own[e] && base[e] ? winRate(Array.from(own[e]!), Array.from(base[e]!), config.eval.bootstrapResamples, `${config.seed}/${m.name}`) : undefined);
      const row: MethodResults = {
        name: m.name, loss: m.loss, spo: m.spo !== undefined, trainSteps: train.steps, trainTokensPerSecond: train.tokensPerSecond,
        degreeAccuracy: existsSync(confusionPath) ? readJsonFile<{ accuracy: number }>(confusionPath, `run the train-${m.name} stage again with --force`).accuracy : undefined,
        oracle: rate('oracle'), rewardModel: rate('reward-model'),
      };
      if (config.eval.judge) {
        const policy = policies.get(m.name)!;
        const { result, judgments } = await judgeWinRate({
          items: prompts.map((prompt, i) => ({ prompt, policy: policy[i], baseline: baseline[i] })),
          config: config.eval.judge, template: loadJudgeTemplate(config.eval.judge.template), cacheDir: judgeCacheDir(config.eval.judge.cacheDir),
          seed: `${config.seed}/${m.name}`, resamples: config.eval.bootstrapResamples, log: ctx.log,
        });
        writeFileSync(join(stage.dir, `judgments-${m.name}.jsonl`), judgments.map((j, i) => JSON.stringify({ prompt: prompts[i], ...j })).join('\n') + '\n');
        row.judge = result;
      }
      results.methods.push(row);
    }
    writeJsonAtomic(join(stage.dir, 'results.json'), results);
    const pct = (w: { winRate: number; interval: { low: number; high: number } }) => `${(100 * w.winRate).toFixed(1)}% [${(100 * w.interval.low).toFixed(1)}, ${(100 * w.interval.high).toFixed(1)}]`;
    for (const m of results.methods) {
      const parts = [m.oracle && `oracle ${pct(m.oracle)}`, m.rewardModel && `reward model ${pct(m.rewardModel)}`, m.judge && `judge ${pct(m.judge)} (${m.judge.invalid} invalid)`].filter(Boolean);
      ctx.log(`[eval] ${m.name} vs ${config.eval.baseline}: ${parts.join('; ')}`);
    }
    tf.disposeVariables();
    return { n: results.n };
  });
}

function checkSamplingFits(ctx: StageContext, ds: PreparedDataset, prompts: string[]): void {
  const longestPrompt = Math.max(...prompts.map((p) => ds.tokenizer.encode(p).length + 1));
  const { maxNewTokens } = ctx.config.eval.sampling;
  const context = ctx.config.model.maxPositions;
  if (longestPrompt + maxNewTokens > context) {
    throw new Error(`${ctx.configPath}: the longest eval prompt has ${longestPrompt} tokens, so eval.sampling.maxNewTokens (${maxNewTokens}) must be at most ${context - longestPrompt}, or model.maxPositions at least ${longestPrompt + maxNewTokens}`);
  }
}

/** The dataset's chosen response for each eval prompt (its first test pair). */
function chosenResponses(ds: PreparedDataset, prompts: string[]): string[] {
  const chosen = new Map<string, string>();
  for (const p of ds.test) if (!chosen.has(p.prompt)) chosen.set(p.prompt, p.chosen);
  return prompts.map((prompt) => {
    const c = chosen.get(prompt);
    if (c === undefined) throw new Error(`eval.baseline "chosen": the eval prompt "${prompt.slice(0, 60)}" has no test pair to take a chosen response from`);
    return c;
  });
}
