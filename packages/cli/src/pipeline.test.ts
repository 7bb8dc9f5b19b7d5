// Every stage in order on a tiny copy of the quickstart with two seeds and a λ sweep: data -> sft ->
// rm -> each run's training and eval -> report, with all three evaluators: the oracle, the reward
// model, and an LLM judge that is `spo serve` over the SFT checkpoint on loopback. The report must
// hold one row per run and evaluator with every setting a column, the win rates over seeds, the
// paired +SPO − base differences, the configured comparison, and how it was made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@spo/engine';
import { readResultsCsv } from '@spo/reports';
import { parseExperimentConfig, planExperiment, numericsPath, type StageContext } from '@spo/experiment';
import { startChatServer } from './serve/chat-server.js';
import { runExperiment } from './run-experiment.js';

const quickstart = JSON.parse(
  readFileSync(new URL('../../../experiments/quickstart/config.json', import.meta.url), 'utf8'),
);

test(
  'pipeline: seeds and a sweep through every stage; ' +
    'win rates over seeds, paired differences, a comparison, all three evaluators',
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
    process.env.SPO_CACHE_DIR = join(root, 'cache');
    const tiny = {
      ...quickstart,
      name: 'tiny',
      seeds: [1, 2],
      seedScope: 'training',
      data: { ...quickstart.data, sftExamples: 200, preferencePairs: 64, validationPairs: 32, evalPrompts: 12 },
      model: { ...quickstart.model, dModel: 16, nLayers: 1 },
      sft: { ...quickstart.sft, steps: 6, batchSize: 16, warmupSteps: 1 },
      rewardModel: { steps: 4, batchSize: 8, warmupSteps: 1, checkpointEvery: 2 },
      preference: { ...quickstart.preference, steps: 2, batchSize: 4, warmupSteps: 1, checkpointEvery: 2 },
      methods: [
        { name: 'dpo', loss: 'dpo' },
        { name: 'dpo-spo', loss: 'dpo', spo: {}, grid: { 'spo.lambda': [0.1, 1] } },
      ],
      compare: [{ by: 'spo.lambda', baseline: 'dpo' }],
    };
    const backend = await initBackend(undefined, () => {});
    const context = (raw: unknown): StageContext => {
      const config = parseExperimentConfig(raw, 'tiny');
      return {
        config,
        configPath: 'tiny.json',
        plan: planExperiment(config, join(root, 'runs'), numericsPath(backend)),
        reportDir: join(root, 'reports'),
        backend,
        log: () => {},
      };
    };
    // the SFT model first, so the judge can be `spo serve` over it
    await runExperiment(context(tiny), 'test');
    const judge = await startChatServer({
      checkpoint: join(root, 'runs', 'sft', 'final'),
      host: '127.0.0.1',
      port: 0,
      format: 'raw',
      modelName: 'sft',
      log: () => {},
    });
    try {
      await runExperiment(
        context({
          ...tiny,
          eval: {
            ...tiny.eval,
            judge: {
              baseUrl: judge.url,
              model: 'sft',
              maxTokens: 4,
              template: 'summarization',
              cacheDir: join(root, 'judge-cache'),
            },
          },
        }),
        'test',
      );
    } finally {
      await judge.close();
    }
    const rows = readResultsCsv(join(root, 'reports', 'results.csv'));
    const runs = [
      'dpo.seed=1',
      'dpo.seed=2',
      'dpo-spo.lambda=0.1.seed=1',
      'dpo-spo.lambda=0.1.seed=2',
      'dpo-spo.lambda=1.seed=1',
      'dpo-spo.lambda=1.seed=2',
    ];
    assert.deepEqual(
      rows.map((r) => `${r.run}/${r.evaluator}`),
      runs.flatMap((r) => ['oracle', 'reward-model', 'llm-judge'].map((e) => `${r}/${e}`)),
    );
    for (const r of rows) {
      // the judge's rate is over the verdicts it could read; the unreadable ones are counted apart
      const unreadable = r.evaluator === 'llm-judge' ? Number(r.invalid) : 0;
      assert.equal(Number(r.n) + unreadable, 12, `${r.run}/${r.evaluator}: every item counted once`);
      assert.equal(Number(r.wins) + Number(r.ties) + Number(r.losses), Number(r.n));
      if (Number(r.n) > 0) assert.ok(Number(r.ci_low) <= Number(r.win_rate) && Number(r.win_rate) <= Number(r.ci_high));
      else assert.equal(String(r.win_rate ?? ''), '', 'no readable verdict: no rate');
      assert.equal(r.task, 'summarization');
      assert.equal(r.spo, r.method === 'dpo-spo');
    }
    const lambdas = [...new Set(rows.filter((r) => r.spo).map((r) => r.lambda))];
    assert.deepEqual(lambdas, [0.1, 1], 'the swept λ is a column');
    const md = readFileSync(join(root, 'reports', 'results.md'), 'utf8');
    assert.match(md, /## Win rate against the SFT model/);
    const CELL = String.raw`([\d.]+% \[[\d.]+, [\d.]+\] \(2\)(; [^|]+)?|no valid verdicts \(\d+ unreadable\))`;
    assert.match(
      md,
      new RegExp(
        // each cell a rate over 2 seeds, with what is wrong with it where something is (a tiny model's
        // evaluations are: ties everywhere, a reward model at chance, a judge that reads nothing)
        String.raw`\| dpo-spo\.lambda=1 \| yes \| ${CELL} \| ${CELL} \| ${CELL} \|`,
      ),
    );
    assert.match(md, /## \+SPO against its base method/);
    assert.match(
      md,
      new RegExp(
        String.raw`\| dpo-spo\.lambda=0\.1 \| dpo \| oracle \| [+−][\d.]+ \[[+−][\d.]+, ` +
          String.raw`[+−][\d.]+\] \| [\d.]+% \[[\d.]+, [\d.]+\] \| 2 \| [<\d.]+ \([<\d.]+, [<\d.]+\) \| ` +
          String.raw`(±[\d.]+ / ±[\d.]+ pts|-) \| (yes|no) \| [\d.]+ \|`,
      ),
    );
    // a reward model at chance on its validation pairs marks the paired rows it scores, not only its win rates
    assert.match(
      md,
      /reward model at chance/.test(md)
        ? /\| dpo-spo\.lambda=0\.1 \| dpo \| reward model \(at chance\) \|/
        : /\| dpo-spo\.lambda=0\.1 \| dpo \| reward model \|/,
    );
    assert.match(
      md,
      /4 comparisons, one family \(every row of this table\): \d with p < 0\.05 before adjustment, \d after Holm's/,
    );
    assert.match(md, /Where the variance comes from .* between seeds \d+%, between prompts within a seed \d+%/);
    const paired = readFileSync(join(root, 'reports', 'paired.csv'), 'utf8')
      .split('\n')[0]
      .split(',');
    for (const column of ['p', 'holm_p', 'bh_q', 'detectable_difference', 'seed_variance_share'])
      assert.ok(paired.includes(column), `paired.csv has ${column}: ${paired.join(',')}`);
    assert.match(md, /## spo\.lambda against dpo/);
    assert.match(
      md,
      new RegExp(
        String.raw`a seed sets each run's preference-batch order, SPO's variant draws, the ` +
          String.raw`degree head's initialisation and the eval sampling stream`,
      ),
    );
    assert.match(
      md,
      new RegExp(
        String.raw`Reward model: on 32 held-out pairs it ranks the chosen response first [\d.]+% of ` +
          String.raw`the time and agrees with the oracle's order on [\d.]+% of \d+ pairs`,
      ),
    );
    assert.ok(
      existsSync(join(root, 'reports', 'paired.csv')) &&
        existsSync(join(root, 'reports', 'compare-spo-lambda-vs-dpo.csv')),
    );
    // a report folder named outside the reports root is a page of its own: its scripts beside it, nothing
    // written beside the folder
    assert.ok(
      existsSync(join(root, 'reports', 'index.html')) &&
        existsSync(join(root, 'reports', 'assets', 'vega-embed.min.js')),
    );
    assert.ok(
      !existsSync(join(root, 'index.html')) && !existsSync(join(root, 'assets')),
      'no site index or assets beside the named report folder',
    );
    assert.match(readFileSync(join(root, 'reports', 'index.html'), 'utf8'), /<script src="assets\/vega\.min\.js">/);
    const judgments = readFileSync(join(root, 'runs', 'dpo.seed=1', 'eval', 'judgments.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(judgments.length, 12);
    assert.ok(
      judgments.every((j) => j.orders.length === 1 && ['policy-first', 'baseline-first'].includes(j.orders[0])),
      'the order of each item is recorded',
    );
    // the two seeds share data and SFT model, and the same seed's SFT baseline samples are the same in every run
    const baseline = (run: string) =>
      readFileSync(join(root, 'runs', run, 'eval', 'samples.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).baseline);
    assert.deepEqual(baseline('dpo.seed=1'), baseline('dpo-spo.lambda=1.seed=1'));
    assert.notDeepEqual(baseline('dpo.seed=1'), baseline('dpo.seed=2'));
  },
);
