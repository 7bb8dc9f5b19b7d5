import { join } from 'node:path';
import { loadCheckpoint } from '@spo/model';
import { pairAsList, readPreparedDataset } from '@spo/data';
import { preferenceLoss } from '@spo/losses';
import { trainPreference } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import { stageDirs, type StageContext } from './context.js';

export async function trainStage(ctx: StageContext, methodName: string): Promise<void> {
  const dirs = stageDirs(ctx);
  const stage = dirs.method(methodName);
  const method = ctx.config.methods.find((m) => m.name === methodName)!;
  await runStage({ label: methodName, stage, requires: [[dirs.data, 'data'], [dirs.sft, 'sft']], force: ctx.force, log: ctx.log }, () => {
    const ds = readPreparedDataset(join(dirs.data.dir, 'dataset'));
    const sftFinal = join(dirs.sft.dir, 'final');
    const policy = loadCheckpoint(sftFinal).model;
    const reference = loadCheckpoint(sftFinal, false).model;
    const lists = preferenceLoss(method.loss).input === 'lists';
    const examples = lists ? ds.lists : ds.preferences.map(pairAsList);
    const terms = [
      method.sftWeight > 0 ? `SFT term × ${method.sftWeight}` : '',
      method.spo ? `SPO (λ = ${method.spo.lambda}, K = ${method.spo.degrees}, ${method.spo.head} head, ${method.spo.target})` : '',
      method.kl ? `KL on own samples (η = ${method.kl.eta})` : '',
    ].filter(Boolean);
    ctx.log(`[${methodName}] ${[method.loss, ...terms].join(' + ')} from ${sftFinal}: ${ctx.config.preference.steps} steps of ${ctx.config.preference.batchSize} ${lists ? 'ranked lists' : 'pairs'}`);
    const summary = trainPreference({
      policy, reference, tokenizer: ds.tokenizer, examples, method, config: ctx.config.preference, seed: ctx.config.seed, dir: stage.dir, log: ctx.log,
      klPrompts: method.kl?.prompts === 'preference' ? ds.preferences.map((p) => p.prompt) : ds.sft.map((e) => e.prompt),
  });
  const f = summary.final;
  ctx.log(`[${methodName}] done: loss ${f.loss.toFixed(4)}, reward accuracy ${f['rewards/accuracies'].toFixed(3)}, margin ${f['rewards/margins'].toFixed(3)}${f['degree/accuracy'] !== undefined ? `, degree accuracy ${f['degree/accuracy'].toFixed(3)}` : ''}; ${Math.round(summary.tokensPerSecond)} tokens/s, ${(summary.secondsPerStep * 1000).toFixed(0)} ms/step`);
  policy.dispose();
  reference.dispose();
  return summary;
  });
}
