// Sample every policy and the SFT model on the held-out prompts (the same random stream per prompt
// for every model), score the samples with the task's oracle, and compute win rates against SFT.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, writeJsonAtomic } from '@spo/engine';
import { loadCheckpoint } from '@spo/model';
import { readPreparedDataset, syntheticTask } from '@spo/data';
import { sampleResponses, winRate, type WinRate } from '@spo/evaluators';
import { closeStage, isStageDone, openStage, requireDone } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';

export interface EvalResults {
  evaluator: 'oracle';
  baseline: 'sft';
  n: number;
  sftMeanScore: number;
  methods: {
    name: string; loss: string; spo: boolean; winRate: WinRate; trainSteps: number; trainTokensPerSecond: number;
    /** The final model's degree-level accuracy (SPO methods only). */
    degreeAccuracy?: number;
  }[];
}

export function evalStage(ctx: StageContext): void {
  const dirs = stageDirs(ctx);
  const stage = dirs.eval;
  if (isStageDone(stage)) return ctx.log(`[eval] ${stage.dir} is up to date (${stage.hash})`);
  requireDone(dirs.data, 'data');
  requireDone(dirs.sft, 'sft');
  for (const m of ctx.config.methods) requireDone(dirs.method(m.name), `train-${m.name}`);
  openStage(stage, ctx.log);
  if (ctx.config.data.source !== 'synthetic') {
    throw new Error(`${ctx.configPath}: the eval stage scores samples with a synthetic task's oracle, and data.source is "${ctx.config.data.source}". Reward-model and LLM-judge win rates on real data are not built yet (issue 6); the data, sft and train stages work on it.`);
  }
  const ds = readPreparedDataset(join(dirs.data.dir, 'dataset'));
  const task = syntheticTask(ctx.config.data.task);
  const prompts = ds.eval.map((e) => e.prompt);
  const longestPrompt = Math.max(...prompts.map((p) => ds.tokenizer.encode(p).length + 1));
  const { maxNewTokens } = ctx.config.eval.sampling;
  if (longestPrompt + maxNewTokens > ctx.config.model.maxPositions) {
    throw new Error(`${ctx.configPath}: the longest eval prompt has ${longestPrompt} tokens, so eval.sampling.maxNewTokens (${maxNewTokens}) must be at most ${ctx.config.model.maxPositions - longestPrompt}, or model.maxPositions at least ${longestPrompt + maxNewTokens}`);
  }
  const samplingSeed = `${ctx.config.seed}/eval`;
  const score = (name: string, checkpoint: string) => {
    const { model } = loadCheckpoint(checkpoint, false);
    const started = performance.now();
    const responses = sampleResponses(model, ds.tokenizer, prompts, ctx.config.eval.sampling, samplingSeed);
    const seconds = (performance.now() - started) / 1000;
    model.dispose();
    const scores = responses.map((r, i) => task.oracle(ds.eval[i].context, r));
    const newTokens = responses.reduce((a, r) => a + ds.tokenizer.encode(r).length + 1, 0);
    ctx.log(`[eval] ${name}: ${responses.length} samples in ${seconds.toFixed(1)} s (${Math.round(newTokens / seconds)} tokens/s), mean oracle reward ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(3)}`);
    writeFileSync(join(stage.dir, `samples-${name}.jsonl`), responses.map((r, i) => JSON.stringify({ prompt: prompts[i], response: r, oracle: scores[i] })).join('\n') + '\n');
    return scores;
  };
  const sftScores = score('sft', join(dirs.sft.dir, 'final'));
  const results: EvalResults = {
    evaluator: 'oracle',
    baseline: 'sft',
    n: prompts.length,
    sftMeanScore: sftScores.reduce((a, b) => a + b, 0) / sftScores.length,
    methods: ctx.config.methods.map((m) => {
      const dir = dirs.method(m.name).dir;
      const scores = score(m.name, join(dir, 'final'));
      const train = JSON.parse(readFileSync(join(dir, 'train-summary.json'), 'utf8'));
      const confusionPath = join(dir, 'degree-confusion.json');
      return {
        name: m.name, loss: m.loss, spo: m.spo !== undefined,
        winRate: winRate(scores, sftScores, ctx.config.eval.bootstrapResamples, `${ctx.config.seed}/${m.name}`),
        trainSteps: train.steps, trainTokensPerSecond: train.tokensPerSecond,
        degreeAccuracy: existsSync(confusionPath) ? JSON.parse(readFileSync(confusionPath, 'utf8')).accuracy : undefined,
      };
    }),
  };
  writeJsonAtomic(join(stage.dir, 'results.json'), results);
  for (const m of results.methods) {
    const w = m.winRate;
    ctx.log(`[eval] ${m.name} vs sft: win rate ${(100 * w.winRate).toFixed(1)}% [${(100 * w.interval.low).toFixed(1)}, ${(100 * w.interval.high).toFixed(1)}] (${w.wins} wins, ${w.ties} ties, ${w.losses} losses)`);
  }
  closeStage(stage, { n: results.n });
  tf.disposeVariables();
}
