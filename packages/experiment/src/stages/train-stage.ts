import { join } from 'node:path';
import { isPretrained, loadCheckpoint } from '@spo/model';
import { pairAsList, readPreparedDataset } from '@spo/data';
import { preferenceLoss } from '@spo/losses';
import { methodLossLabel, methodLosses, trainPreference } from '@spo/trainer';
import { runStage } from './stage-dir.js';
import type { StageContext } from './context.js';
import type { RunPlan } from '../plan/plan.js';

/** Preference training of one run: its method from its data variant's SFT model, with its seed. */
export async function trainStage(ctx: StageContext, run: RunPlan): Promise<void> {
  if (run.sameAs !== undefined)
    return ctx.log(`[${run.name}] same settings as ${run.sameAs}: its training is this run's`);
  const v = run.variant;
  const { method } = run;
  const suffix = v.id ? `-${v.id}` : '';
  await runStage(
    {
      label: run.name,
      stage: { dir: run.dir, hash: run.hashes.train },
      force: ctx.force,
      log: ctx.log,
      requires: [
        [{ dir: v.dirs.data, hash: v.hashes.data }, `data${suffix}`],
        [{ dir: v.dirs.sft, hash: v.hashes.sft }, `sft${suffix}`],
      ],
    },
    () => {
      const ds = readPreparedDataset(join(v.dirs.data, 'dataset'));
      const sftFinal = join(v.dirs.sft, 'final');
      const policy = loadCheckpoint(sftFinal).model;
      const section = ctx.config.model;
      if (isPretrained(section) && section.lora) policy.attachLora(section.lora, run.seed);
      const reference = loadCheckpoint(sftFinal, false).model;
      const lists = preferenceLoss(methodLosses(method)[0].loss).input === 'lists';
      const examples = lists ? ds.lists : ds.preferences.map(pairAsList);
      const terms = [
        method.sftWeight > 0 ? `SFT term × ${method.sftWeight}` : '',
        method.spo
          ? `SPO (λ = ${method.spo.lambda}, K = ${method.spo.degrees}, ` +
            `${method.spo.head} head, ${method.spo.extractor}, ${method.spo.target})`
          : '',
        method.kl ? `KL on own samples (η = ${method.kl.eta})` : '',
        method.ldAlpha !== undefined ? `LD-DPO (α = ${method.ldAlpha})` : '',
        method.weighting === 'wpo' ? 'WPO weights' : '',
        method.referenceSync
          ? `TR-DPO ${method.referenceSync.mode} sync every ${method.referenceSync.every} steps` +
            (method.referenceSync.mode === 'soft' ? ` (α = ${method.referenceSync.alpha})` : '')
          : '',
      ].filter(Boolean);
      const adapters = policy.lora
        ? `, LoRA rank ${policy.lora.config.rank} ` +
          `(${policy.lora.parameterCount().toLocaleString('en')} trainable parameters)`
        : '';
      ctx.log(
        `[${run.name}] ${[methodLossLabel(method), ...terms].join(' + ')} from ${sftFinal}${adapters}, ` +
          `seed ${run.seed}: ${ctx.config.preference.steps} steps of ${ctx.config.preference.batchSize} ` +
          (lists ? 'ranked lists' : 'pairs') +
          (method.lr === undefined ? '' : ` at lr ${method.lr}`),
      );
      const config = method.lr === undefined ? ctx.config.preference : { ...ctx.config.preference, lr: method.lr };
      const summary = trainPreference({
        policy,
        reference,
        tokenizer: ds.tokenizer,
        examples,
        method,
        config,
        seed: run.seed,
        dir: run.dir,
        log: ctx.log,
        klPrompts:
          method.kl?.prompts === 'preference' ? ds.preferences.map((p) => p.prompt) : ds.sft.map((e) => e.prompt),
      });
      const f = summary.final;
      const fixed = (x: number | undefined, d: number) => (x === undefined ? '?' : x.toFixed(d));
      ctx.log(
        `[${run.name}] done: loss ${fixed(f.loss, 4)}, reward accuracy ${fixed(f['rewards/accuracies'], 3)}, ` +
          `margin ${fixed(f['rewards/margins'], 3)}` +
          (f['degree/accuracy'] !== undefined ? `, degree accuracy ${fixed(f['degree/accuracy'], 3)}` : '') +
          `; ${Math.round(summary.tokensPerSecond)} tokens/s, ${(summary.secondsPerStep * 1000).toFixed(0)} ms/step`,
      );
      policy.dispose();
      reference.dispose();
      return summary;
    },
  );
}
