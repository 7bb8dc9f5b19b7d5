// The report of an experiment: results.csv (one row per run and evaluator, every setting a column),
// paired.csv (each +SPO cell against its base), one CSV per comparison, and results.md with the
// tables a reader looks at first: win rates against the baseline over seeds, the paired +SPO − base
// differences, the comparisons, and how it was all made.
import { join } from 'node:path';
import { hostname } from 'node:os';
import { writeFileAtomic } from '@spo/engine';
import { markdownTable, percentWithInterval } from '../markdown.js';
import { writeCsv, writeResultsCsv, type ResultRow } from '../results-table.js';
import { type SeedStatistics, winRate } from '@spo/evaluators';
import { getAtPath, pointLabel, type ExperimentPlan, type RunResult } from '@spo/experiment';
import { methodLossLabel } from '@spo/trainer';
import {
  baselineName,
  cells,
  EVALUATORS,
  outcomesVsBaseline,
  rewardModelAtChance,
  spoPairs,
  winRateCell,
  winRateEstimate,
  type Cell,
  type Evaluator,
} from './cells.js';
import { compareRuns, type Comparison } from './compare.js';
import { ALPHA, type Adjusted } from './family.js';
import { selectSettings, selectionMarkdown, writeChosen } from './selection.js';

export interface ReportStamp {
  command: string;
  commit: string;
  configHash: string;
  backend: string;
  /** The numerics path every stage hash of the plan includes (experiment's numericsPath), so every number's. */
  numerics: string;
}

const pct = (e: SeedStatistics) => `${percentWithInterval(e.mean, e.interval.low, e.interval.high)}`;
/** "+0.019", "−0.004"; a value that would round to 0.000 keeps two significant digits ("+0.00031"). */
const signed = (x: number) =>
  `${x >= 0 ? '+' : '−'}${Math.abs(x) < 0.0005 && x !== 0 ? Math.abs(x).toPrecision(2) : Math.abs(x).toFixed(3)}`;
const diff = (e: SeedStatistics) => `${signed(e.mean)} [${signed(e.interval.low)}, ${signed(e.interval.high)}]`;
const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const pValue = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));
/** Raw p, then Holm's and Benjamini–Hochberg's: "0.012 (0.048, 0.024)". */
const pAdjusted = (c: { difference: SeedStatistics }, a: Adjusted) =>
  `${pValue(c.difference.p)} (${pValue(a.holm)}, ${pValue(a.bh)})`;
/** The smallest true effect the design detects (80% power, 5% two-sided): in Δ score and head-to-head points. */
const detectable = (c: { difference: SeedStatistics; headToHead: SeedStatistics }) =>
  Number.isFinite(c.difference.minimumDetectable)
    ? `±${c.difference.minimumDetectable.toFixed(3)} / ±${(100 * c.headToHead.minimumDetectable).toFixed(1)} pts`
    : '-';

/**
 * Which source the variance of a table's Δ estimates comes from (median over its rows of the seeds'
 * share in a random-effects split), and so whether more seeds or more prompts would narrow them.
 */
function varianceSentence(stats: readonly SeedStatistics[], what = "each Δ's variance"): string {
  const shares = stats
    .filter((s) => s.coversSeeds)
    .map((s) => s.variance.seedShare)
    .sort((a, b) => a - b);
  if (!shares.length)
    return 'One seed: the spread between seeds cannot be estimated, so these intervals cover prompts only.';
  const median = shares[Math.floor(shares.length / 2)];
  const [more, less] = median >= 0.5 ? ['seeds', 'prompts'] : ['prompts', 'seeds'];
  return (
    `Where the variance comes from (random-effects split of ${what}, median over the rows): ` +
    `between seeds ${(100 * median).toFixed(0)}%, between prompts within a seed ${(100 * (1 - median)).toFixed(0)}%; ` +
    `more ${more} would narrow these intervals more than more ${less}.`
  );
}

/** What a seed covers, in words: whether the intervals over seeds include the SFT model drawn. */
function seedScopeSentence(config: ExperimentPlan['config']): string {
  if (config.seeds.length === 1) return 'One seed: no interval here covers a second SFT model or batch order.';
  return config.seedScope === 'everything'
    ? `Seed scope "everything": each of the ${config.seeds.length} seeds builds its own data, SFT model and ` +
        'reward model, and every method of a seed starts from them, so the intervals over seeds cover the SFT ' +
        'model drawn and comparisons stay paired.'
    : `Seed scope "training": the ${config.seeds.length} seeds share one data set, SFT model and reward model ` +
        `(built with seed ${config.seed}), so the intervals cover batch order and sampling, not the SFT model drawn.`;
}

/** The effective value of the standard setting columns, and of any other swept path. */
function settingColumns(r: RunResult, extra: readonly string[]): Record<string, string | number | boolean> {
  const { method } = r.run;
  const data = r.run.variant.data;
  const spo = method.spo;
  const cols: Record<string, string | number | boolean> = {
    task: data.source === 'synthetic' ? data.task : `files:${data.format}`,
    label_temperature: data.source === 'synthetic' ? data.labelTemperature : '',
    preference_pairs: data.source === 'synthetic' ? data.preferencePairs : '',
    beta: (method.params.beta as number | undefined) ?? '',
    lambda: spo?.lambda ?? '',
    degrees: spo?.degrees ?? '',
    extractor: spo?.extractor ?? '',
    target: spo?.target ?? '',
    head: spo?.head ?? '',
    key_share: spo?.keyShare ?? '',
  };
  for (const path of extra) {
    const column = METHOD_SETTING_COLUMNS[path as keyof typeof METHOD_SETTING_COLUMNS];
    if (column) {
      cols[path] = column(method);
      continue;
    }
    const v = path.startsWith('data.') ? getAtPath(data, path.slice(5)) : getAtPath(method, path);
    cols[path] = v === undefined ? '' : (v as string | number | boolean);
  }
  return cols;
}

const STANDARD_PATHS = new Set([
  'data.task',
  'data.labelTemperature',
  'data.preferencePairs',
  'params.beta',
  'spo.lambda',
  'spo.degrees',
  'spo.extractor',
  'spo.target',
  'spo.head',
  'spo.keyShare',
]);

/**
 * Method settings around the loss (the TRL 1.x ones), each a column of results.csv in the experiments that
 * use it: the divergence, LD-DPO's α, the weighting and TR-DPO's sync, as one readable value each.
 */
const METHOD_SETTING_COLUMNS = {
  divergence: (m: RunResult['run']['method']) => {
    const p = m.losses?.[0]?.params ?? m.params;
    const d = p.divergence as string | undefined;
    return d === undefined ? '' : d === 'alpha' ? `alpha(${(p.divergenceAlpha as number | undefined) ?? 0.5})` : d;
  },
  ld_alpha: (m: RunResult['run']['method']) => m.ldAlpha ?? '',
  weighting: (m: RunResult['run']['method']) => m.weighting ?? '',
  reference_sync: (m: RunResult['run']['method']) =>
    m.referenceSync
      ? `${m.referenceSync.mode} every ${m.referenceSync.every}` +
        (m.referenceSync.mode === 'soft' ? ` (alpha ${m.referenceSync.alpha})` : '')
      : '',
};

export function resultRows(
  plan: ExperimentPlan,
  results: readonly RunResult[],
  stamp: ReportStamp,
): { rows: ResultRow[]; extra: string[] } {
  const extra = [
    ...new Set(results.flatMap((r) => [...Object.keys(r.run.settings), ...Object.keys(r.run.variant.settings)])),
  ].filter((p) => !STANDARD_PATHS.has(p));
  for (const [column, value] of Object.entries(METHOD_SETTING_COLUMNS))
    if (results.some((r) => value(r.run.method) !== '') && !extra.includes(column)) extra.push(column);
  const resamples = plan.config.eval.bootstrapResamples;
  const rows: ResultRow[] = [];
  for (const r of results) {
    for (const { key } of EVALUATORS) {
      const outcomes = outcomesVsBaseline(r, key);
      if (!outcomes) continue;
      const scores = key === 'llm-judge' ? undefined : r.eval.scores[key];
      const w = scores ? winRate(scores.policy, scores.baseline, resamples, `${r.run.name}/${key}`) : undefined;
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      // a judge with no readable verdict has no rate: its row's rate and interval are left empty
      const interval =
        w?.interval ??
        (outcomes.length
          ? winRate(
              outcomes,
              outcomes.map(() => 0.5),
              resamples,
              `${r.run.name}/${key}`,
            ).interval
          : undefined);
      rows.push({
        experiment: plan.config.name,
        run: r.run.name,
        same_as: r.run.sameAs ?? '',
        method: r.run.methodName,
        loss: methodLossLabel(r.run.method),
        spo: r.run.method.spo !== undefined,
        sweep: [r.run.variant.sweep, r.run.sweep].filter(Boolean).join(' / '),
        variant: r.run.variant.label,
        seed: r.run.seed,
        seed_scope: plan.config.seedScope,
        ...settingColumns(r, extra),
        evaluator: key,
        baseline: r.eval.baseline,
        n: outcomes.length,
        win_rate: outcomes.length ? mean(outcomes) : '',
        ci_low: interval?.low ?? '',
        ci_high: interval?.high ?? '',
        wins: outcomes.filter((o) => o === 1).length,
        ties: outcomes.filter((o) => o === 0.5).length,
        losses: outcomes.filter((o) => o === 0).length,
        invalid: key === 'llm-judge' ? r.eval.judge!.invalid : '',
        mean_score: scores ? mean(scores.policy) : '',
        baseline_mean_score: scores ? mean(scores.baseline) : '',
        degree_accuracy: r.degreeAccuracy ?? '',
        train_steps: r.train.steps,
        train_tokens_per_s: Math.round(r.train.tokensPerSecond),
        config_hash: r.run.hashes.eval,
        backend: r.eval.ranOn?.backend ?? stamp.backend,
        commit: stamp.commit,
      } as ResultRow);
    }
  }
  return { rows, extra };
}

export function writeReport(
  plan: ExperimentPlan,
  results: readonly RunResult[],
  missing: readonly string[],
  reportDir: string,
  stamp: ReportStamp,
): void {
  const { config } = plan;
  const resamples = config.eval.bootstrapResamples;
  const { rows, extra } = resultRows(plan, results, stamp);
  writeResultsCsv(join(reportDir, 'results.csv'), rows, extra);

  const all = cells(results);
  const variants = [...new Set(plan.variants.map((v) => v.label))];
  const present = EVALUATORS.filter((e) => e.key !== 'llm-judge' || config.eval.judge);
  const judgeNote = config.eval.judge ? '' : 'not configured';
  const md: string[] = [`# ${config.name}: results`, '', config.description, ''];

  // 1. win rates against the baseline
  // variants whose reward model is at chance on its own validation pairs: its column is flagged
  // (under seedScope "everything" a label has one reward model per seed: any at chance flags the column)
  const rmByVariant = rewardModelValidations(plan, results);
  const atChance = new Set(
    variants.filter((v) => [...(rmByVariant.get(v)?.values() ?? [])].some((val) => rewardModelAtChance(val))),
  );
  md.push(`## Win rate against ${baselineName(config)}`, '');
  md.push(
    `Mean over seeds of each seed's win rate on ${results[0]?.eval.prompts ?? '?'} held-out ` +
      `${config.eval.prompts === 'validation' ? 'validation ' : ''}prompts ` +
      `(a tie counts ½); 95% Student-t interval over the seed means (with one seed, over its prompts); ` +
      `the number of seeds in brackets. A cell that was not run says so; the LLM judge's rate is over ` +
      `the verdicts it could read, and the unreadable ones are counted beside it.`,
    '',
  );
  const labels = [...new Set(all.map((c) => c.label))];
  const header = [
    'method',
    '+SPO',
    ...variants.flatMap((v) =>
      [...present, ...(config.eval.judge ? [] : [{ key: 'llm-judge' as Evaluator, title: 'LLM judge' }])].map((e) =>
        variants.length > 1 ? `${v}: ${e.title}` : e.title,
      ),
    ),
  ];
  md.push(
    markdownTable(
      header,
      labels.map((label) => {
        const anyCell = all.find((c) => c.label === label)!;
        return [
          label,
          yesNo(anyCell.results[0].run.method.spo !== undefined),
          ...variants.flatMap((v) => {
            const cell = all.find((c) => c.label === label && c.variant === v);
            const shown = [
              ...present,
              ...(config.eval.judge ? [] : [{ key: 'llm-judge' as Evaluator, title: 'LLM judge' }]),
            ];
            return shown.map((e) => {
              if (e.key === 'llm-judge' && !config.eval.judge) return judgeNote;
              if (!cell) return 'not run';
              return winRateCell(cell, e.key, atChance.has(v));
            });
          }),
        ];
      }),
    ),
    '',
  );

  const rates = all.flatMap((c) => {
    const est = winRateEstimate(c, present[0].key);
    return est ? [est] : [];
  });
  md.push(seedScopeSentence(config), '');
  // with one seed the scope sentence already says the intervals cover prompts only
  if (config.seeds.length > 1) md.push(varianceSentence(rates, `each ${present[0].title} win rate's variance`), '');

  // 2. paired +SPO − base
  const paired = spoPairs(all);
  if (paired.length) {
    const raw = paired.filter((p) => p.adjusted.rawSignificant).length;
    const significant = paired.filter((p) => p.adjusted.significant).length;
    const discoveries = paired.filter((p) => p.adjusted.bh < ALPHA).length;
    const seedCounts = [...new Set(paired.map((p) => p.seeds.length))];
    const seeds = `${seedCounts.join(' or ')} seed${seedCounts.length === 1 && seedCounts[0] === 1 ? '' : 's'}`;
    // a difference scored by a reward model at chance on its own validation pairs is about what the
    // policies write, not about quality: its row says so, and so does a "yes" in it
    const byChanceJudge = (p: (typeof paired)[number]) => p.evaluator !== 'oracle' && atChance.has(p.treatment.variant);
    const chanceRows = paired.filter(byChanceJudge).length;
    md.push('## +SPO against its base method', '');
    md.push(
      'Paired on the same data, seeds, prompts and sampling streams: Δ is the mean difference in the ' +
        "evaluator's score of the two policies' samples (+SPO minus base); head-to-head is how often the +SPO " +
        'sample scores higher (a tie counts ½). 95% intervals: Student-t over the seed means. p: two-sided, ' +
        "Δ = 0, then Holm's and Benjamini–Hochberg's adjustments over this table. Detectable: the smallest " +
        'true effect this design finds with 80% power at 5%.',
      '',
    );
    md.push(
      markdownTable(
        [
          'method',
          'base',
          ...(variants.length > 1 ? ['data'] : []),
          'evaluator',
          'Δ score (95% CI)',
          'head-to-head (95% CI)',
          'seeds',
          'p (Holm, BH)',
          'detectable Δ / h2h',
          'significant (Holm)',
          'degree accuracy',
        ],
        paired.map((p) => [
          p.treatment.label,
          p.control.label,
          ...(variants.length > 1 ? [p.treatment.variant] : []),
          p.evaluator === 'oracle' ? 'oracle' : byChanceJudge(p) ? 'reward model (at chance)' : 'reward model',
          diff(p.comparison.difference),
          pct(p.comparison.headToHead),
          String(p.seeds.length),
          pAdjusted(p.comparison, p.adjusted),
          detectable(p.comparison),
          p.adjusted.significant && byChanceJudge(p) ? 'yes, by a judge at chance' : yesNo(p.adjusted.significant),
          degreeAccuracy(p.treatment),
        ]),
      ),
      '',
    );
    md.push(
      `${paired.length} comparison${paired.length === 1 ? '' : 's'}, one family (every row of this table): ` +
        `${raw} with p < 0.05 before ` +
        `adjustment, ${significant} after Holm's (a 5% chance of any false claim in the table; "significant" ` +
        `means this), ${discoveries} with a Benjamini–Hochberg q < 0.05. Each interval is over ${seeds}; ` +
        `a row that is not significant says no effect larger than its detectable Δ, not no effect.` +
        (chanceRows
          ? ` ${chanceRows === 1 ? 'One row is' : `${chanceRows} rows are`} scored by a reward model at chance ` +
            `on its own validation pairs: ` +
            `their differences say how the two policies' samples differ to that model, not which is better.`
          : ''),
      '',
      varianceSentence(paired.map((p) => p.comparison.difference)),
      '',
    );
    writeCsv(
      join(reportDir, 'paired.csv'),
      [
        'method',
        'base',
        'variant',
        'evaluator',
        'seeds',
        'n',
        'difference',
        'difference_low',
        'difference_high',
        'head_to_head',
        'head_to_head_low',
        'head_to_head_high',
        'p',
        'holm_p',
        'bh_q',
        'significant',
        'significant_unadjusted',
        'detectable_difference',
        'detectable_head_to_head',
        'seed_variance_share',
        'between_seed_variance',
        'within_seed_variance',
        'degree_accuracy',
      ],
      paired.map((p) => [
        p.treatment.label,
        p.control.label,
        p.treatment.variant,
        p.evaluator,
        p.seeds.length,
        p.comparison.difference.n,
        p.comparison.difference.mean,
        p.comparison.difference.interval.low,
        p.comparison.difference.interval.high,
        p.comparison.headToHead.mean,
        p.comparison.headToHead.interval.low,
        p.comparison.headToHead.interval.high,
        p.comparison.difference.p,
        p.adjusted.holm,
        p.adjusted.bh,
        p.adjusted.significant,
        p.adjusted.rawSignificant,
        p.comparison.difference.minimumDetectable,
        p.comparison.headToHead.minimumDetectable,
        p.comparison.difference.variance.seedShare,
        p.comparison.difference.variance.betweenSeeds,
        p.comparison.difference.variance.withinSeed,
        degreeAccuracy(p.treatment),
      ]),
    );
  }

  // 3. the config's comparisons
  for (const spec of config.compare) {
    const c = compareRuns(results, spec);
    md.push(...comparisonMarkdown(c), '');
    writeComparisonCsv(join(reportDir, comparisonFile(spec)), c);
  }

  // 4. a tuning experiment's choices; an experiment's tuned settings
  if (config.eval.prompts === 'validation') {
    const choices = selectSettings(all);
    md.push(...selectionMarkdown(choices, variants.length > 1));
    writeChosen(reportDir, plan, choices);
  }
  if (config.tuned.length) md.push(...tunedMarkdown(config.tuned, variants.length > 1));

  // 5. how it was made
  md.push('## How this was made', '');
  if (missing.length)
    md.push(
      `**Not run yet** (${missing.length} runs, left out of every table): ` +
        `${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ', ...' : ''}.`,
      '',
    );
  md.push(
    markdownTable(
      ['', ''],
      [
        ['reproduce with', `\`${stamp.command}\``],
        ['commit', `\`${stamp.commit}\``],
        ['config', `\`experiments/${config.name}/config.json\` (hash \`${stamp.configHash}\`)`],
        [
          'seeds',
          `${config.seeds.join(', ')} (` +
            (config.seedScope === 'training'
              ? `a seed sets each run's preference-batch order, SPO's variant draws, the degree head's ` +
                `initialisation and the eval sampling stream; data, SFT model and reward model are shared, ` +
                `built with seed ${config.seed}`
              : 'a seed sets everything: data, SFT model, reward model and each run') +
            ')',
        ],
        ['runs', aliasNote(plan)],
        ['backend', backendLine(results, stamp.backend)],
        ['numerics path', `${stamp.numerics} (in every stage hash: each number here was computed on it)`],
        [
          'intervals',
          `over seeds: Student-t on the seed means; a single run's win rate (results.csv): ` +
            `percentile bootstrap over prompts, ${resamples} resamples`,
        ],
      ],
    ),
    '',
  );
  for (const [label, bySeed] of rmByVariant) {
    const vals = [...bySeed.values()];
    const where = variants.length > 1 ? ` (${label})` : '';
    const share = (x: number) => `${(100 * x).toFixed(1)}%`;
    const range = (xs: number[]) =>
      xs.length === 1
        ? share(xs[0])
        : `${share(Math.min(...xs))}-${share(Math.max(...xs))} ` +
          `(mean ${share(xs.reduce((a, b) => a + b, 0) / xs.length)})`;
    const oracle = vals.filter((v) => v.oracleAgreement !== undefined);
    const chance = vals.filter((v) => rewardModelAtChance(v)).length;
    md.push(
      (vals.length === 1
        ? `Reward model${where}: on ${vals[0].n} held-out pairs it ranks`
        : `Reward models${where}, one per seed (${vals.length}): on ${vals[0].n} held-out pairs each they rank`) +
        ` the chosen response first ${range(vals.map((v) => v.accuracy))} of the time` +
        (oracle.length
          ? ` and agree${vals.length === 1 ? 's' : ''} with the oracle's order on ` +
            `${range(oracle.map((v) => v.oracleAgreement!))} of ` +
            (oracle.length === 1 ? `${oracle[0].oraclePairs} pairs` : 'the pairs the oracle orders')
          : '') +
        (chance
          ? `: ${vals.length === 1 ? 'no better than chance' : `${chance} of ${vals.length} no better than chance`} ` +
            '(50% lies in its 95% interval), so its column says nothing about quality'
          : '') +
        '.',
      '',
    );
  }
  writeFileAtomic(
    join(reportDir, 'results.md'),
    `${md
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()}\n`,
  );
}

type RmValidation = NonNullable<NonNullable<RunResult['eval']['rewardModel']>['validation']>;

/** Each variant label's reward models' validation, by the variant that trained it (one per seed under "everything"). */
function rewardModelValidations(
  plan: ExperimentPlan,
  results: readonly RunResult[],
): Map<string, Map<string, RmValidation>> {
  const out = new Map<string, Map<string, RmValidation>>();
  for (const v of plan.variants.filter((x) => x.sameAs === undefined)) {
    const val = results.find((r) => r.run.variant.id === v.id && r.eval.rewardModel?.validation)?.eval.rewardModel
      ?.validation;
    if (!val) continue;
    const byId = out.get(v.label) ?? new Map<string, RmValidation>();
    byId.set(v.id, val);
    out.set(v.label, byId);
  }
  return out;
}

/** The tuned settings the config applies, and where they were chosen. */
function tunedMarkdown(tuned: ExperimentPlan['config']['tuned'], several: boolean): string[] {
  const from = [...new Set(tuned.map((t) => t.from).filter(Boolean))];
  return [
    '## Tuned settings',
    '',
    'Each base method and its +SPO twin run at these settings (SPO adds only its own), chosen on ' +
      `validation prompts, never the test prompts${from.length ? ` (${from.map((f) => `\`${f}\``).join(', ')})` : ''}.`,
    '',
    markdownTable(
      [...(several ? ['data'] : []), 'loss', 'settings'],
      tuned.map((t) => [
        ...(several ? [pointLabel(t.where) || 'every variant'] : []),
        t.loss,
        Object.entries(t.set)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', '),
      ]),
    ),
    '',
  ];
}

function aliasNote(plan: ExperimentPlan): string {
  const trained = plan.runs.filter((r) => r.sameAs === undefined).length;
  return trained === plan.runs.length
    ? `${trained}`
    : `${plan.runs.length}, of which ${trained} trained: ` +
        `the others are a default listed in more than one sweep, trained once and reported in each`;
}

function degreeAccuracy(cell: Cell): string {
  if (cell.results.every((r) => r.noDegreeGroups)) return 'no degree groups';
  const xs = cell.results.map((r) => r.degreeAccuracy).filter((x): x is number => x !== undefined);
  return xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) : '-';
}

export const comparisonFile = (spec: { by: string; baseline: string }) =>
  `compare-${spec.by.replace(/[^A-Za-z0-9]+/g, '-')}-vs-${spec.baseline}.csv`;

export function comparisonMarkdown(c: Comparison): string[] {
  const evaluators = (['oracle', 'reward-model'] as const).filter((e) => c.rows.some((r) => r.byEvaluator[e]));
  const title = c.spec.title ?? `${c.spec.by} against ${c.spec.baseline}`;
  const out = [
    `## ${title}`,
    '',
    `Each row's runs against the "${c.spec.baseline}" run on the same data variant and seed, ` +
      `paired prompt by prompt (Δ: mean score difference; ` +
      `h2h: how often the row's sample scores higher). 95% intervals: Student-t over seed means; ` +
      `p adjusted by Holm over this table's rows and evaluators ("significant" follows it).`,
    '',
  ];
  out.push(
    markdownTable(
      [
        c.spec.by,
        'runs',
        ...evaluators.flatMap((e) => [
          `Δ ${e === 'oracle' ? 'oracle' : 'reward model'} (95% CI)`,
          `h2h ${e === 'oracle' ? 'oracle' : 'reward model'}`,
        ]),
        'p oracle (Holm)',
        'detectable Δ oracle',
        'significant (oracle, Holm)',
        'degree accuracy',
      ],
      c.rows.map((r) => [
        r.value,
        String(r.pairs),
        ...evaluators.flatMap((e) => {
          const x = r.byEvaluator[e];
          return x ? [diff(x.difference), pct(x.headToHead)] : ['not run', 'not run'];
        }),
        r.byEvaluator.oracle
          ? `${pValue(r.byEvaluator.oracle.difference.p)} (${pValue(r.adjusted.oracle!.holm)})`
          : '-',
        r.byEvaluator.oracle ? detectable(r.byEvaluator.oracle) : '-',
        r.byEvaluator.oracle ? yesNo(r.adjusted.oracle!.significant) : '-',
        r.noDegreeGroups ? 'no degree groups' : r.degreeAccuracy === undefined ? '-' : r.degreeAccuracy.toFixed(3),
      ]),
    ),
  );
  const stats = c.rows.flatMap((r) => Object.values(r.byEvaluator).map((x) => x.difference));
  if (stats.length) out.push('', varianceSentence(stats));
  if (c.unpaired.length)
    out.push('', `Left out (no ${c.spec.baseline} run with the same data and seed): ${c.unpaired.join(', ')}.`);
  return out;
}

export function writeComparisonCsv(path: string, c: Comparison): void {
  writeCsv(
    path,
    [
      'by',
      'value',
      'baseline',
      'pairs',
      'evaluator',
      'difference',
      'difference_low',
      'difference_high',
      'head_to_head',
      'head_to_head_low',
      'head_to_head_high',
      'p',
      'holm_p',
      'bh_q',
      'significant',
      'significant_unadjusted',
      'detectable_difference',
      'seed_variance_share',
      'degree_accuracy',
      'runs',
    ],
    c.rows.flatMap((r) =>
      Object.entries(r.byEvaluator).map(([e, x]) => [
        c.spec.by,
        r.value,
        c.spec.baseline,
        r.pairs,
        e,
        x.difference.mean,
        x.difference.interval.low,
        x.difference.interval.high,
        x.headToHead.mean,
        x.headToHead.interval.low,
        x.headToHead.interval.high,
        x.difference.p,
        r.adjusted[e as keyof typeof r.adjusted]!.holm,
        r.adjusted[e as keyof typeof r.adjusted]!.bh,
        r.adjusted[e as keyof typeof r.adjusted]!.significant,
        r.adjusted[e as keyof typeof r.adjusted]!.rawSignificant,
        x.difference.minimumDetectable,
        x.difference.variance.seedShare,
        r.degreeAccuracy ?? '',
        r.runs.join(' '),
      ]),
    ),
  );
}

/**
 * The backend line: the report's own when every run ran on it here; otherwise each backend (and the hosts
 * that ran it, for runs from other machines: a cluster's nodes) with its number of runs.
 */
function backendLine(results: readonly RunResult[], own: string): string {
  const here = hostname();
  const groups = new Map<string, { runs: number; hosts: Set<string> }>();
  for (const r of results) {
    const backend = r.eval.ranOn?.backend ?? own;
    const g = groups.get(backend) ?? { runs: 0, hosts: new Set<string>() };
    g.runs++;
    if (r.eval.ranOn && r.eval.ranOn.host !== here) g.hosts.add(r.eval.ranOn.host);
    groups.set(backend, g);
  }
  if (groups.size <= 1 && [...groups.values()].every((g) => g.hosts.size === 0)) return [...groups.keys()][0] ?? own;
  return [...groups]
    .map(([b, g]) => `${b}: ${g.runs} runs${g.hosts.size ? ` on ${[...g.hosts].sort().join(', ')}` : ''}`)
    .join('; ');
}
