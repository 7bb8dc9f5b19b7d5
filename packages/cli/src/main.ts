// The `spo` command: run an experiment's stages (data, sft, train, eval, report) from its config. The
// report, compare, view and run commands load the reporting code (vega and its kind) when they run,
// so the training stages' processes start without it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { slurmAvailable } from '@spo/slurm';
import { BACKEND_NAMES, initBackend, type BackendRequest } from '@spo/engine';
import { PREFERENCE_LOSSES } from '@spo/losses';
import { artifactFolder, fetchArtifact, publicArtifact, PUBLIC_ARTIFACTS } from '@spo/data';
import {
  loadExperimentConfig,
  parseOverride,
  type Override,
  findRun,
  findVariant,
  ownRuns,
  ownVariants,
  planExperiment,
  type ExperimentPlan,
  type Variant,
  numericsPath,
  evalRunStage,
  versionLine,
  type StageContext,
  dataStage,
  prepare,
  sftStage,
  trainStage,
  rewardModelStage,
  collectResults,
  submitToSlurm,
  slurmStatus,
  cancelSlurmJobs,
  waitForSlurm,
  type StageState,
} from '@spo/experiment';
import { exportModel, sample } from './sample-command.js';
import { reproduceCommand } from './reproduce-command.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_QUEUE,
  PROMPT_FORMATS,
  startChatServer,
  type PromptFormat,
} from './serve/chat-server.js';

interface CommonOptions {
  config: string;
  set: Override[];
  runDir?: string;
  reportDir?: string;
  backend?: BackendRequest;
  force?: boolean;
}

const log = (line: string) => console.error(line);

async function context(o: CommonOptions): Promise<StageContext> {
  const config = loadExperimentConfig(o.config, o.set);
  const backend = await initBackend(o.backend, log);
  const numerics = numericsPath(backend);
  // a Slurm job computes on the path its plan was submitted for, or its stage hashes would not be the plan's
  const submitted = process.env.SPO_SUBMITTED_NUMERICS;
  if (submitted !== undefined && submitted !== numerics)
    throw new Error(
      `this node computes on ${numerics}, but the plan was submitted for ${submitted}, so its stages' ` +
        `hashes would differ: give the nodes the same backend and matmul library, and the same BLAS ` +
        `threading (one thread rounds differently from several; set OPENBLAS_NUM_THREADS when submitting, ` +
        `it is passed to every job), the same SPO_FUSED and SPO_PACKED_RESPONSES, or submit with --backend ` +
        `from a machine like them`,
    );
  return {
    config,
    configPath: o.config,
    plan: planExperiment(config, o.runDir ?? join('runs', config.name), numerics),
    reportDir: o.reportDir ?? join('reports', config.name),
    ...(o.reportDir === undefined ? { siteRoot: 'reports' } : {}),
    backend,
    log,
    force: o.force,
  };
}

function withCommon(cmd: Command, configRequired = true): Command {
  const config = new Option('-c, --config <path>', 'experiment config (JSON), e.g. experiments/quickstart/config.json');
  return cmd
    .addOption(configRequired ? config.makeOptionMandatory() : config)
    .option(
      '--set <key=value>',
      'override a config field, e.g. --set preference.steps=200 --set seeds=[1,2] (repeatable)',
      (v: string, all: Override[]) => [...all, parseOverride(v)],
      [] as Override[],
    )
    .option('--run-dir <dir>', 'where stage outputs go (default: runs/<experiment name>)')
    .option('--report-dir <dir>', 'where tables go (default: reports/<experiment name>)')
    .addOption(
      new Option('--backend <name>', `TensorFlow.js backend (default: $SPO_BACKEND or the fastest that loads)`).choices(
        ['auto', ...BACKEND_NAMES],
      ),
    )
    .option(
      '--force',
      'retrain the stages this command runs even if they are done ' +
        '(the finished folder is moved to .superseded/, not deleted)',
    );
}

const program = new Command('spo')
  .description('Preference-optimisation experiments: SPO, the DPO family, Soft Preference Optimization.')
  .version(versionLine(), '-V, --version', 'print the version and the commit the code came from')
  .showHelpAfterError();

program
  .command('plan')
  .description(
    "list the experiment's data variants and runs with their folders (--json: every stage's folder and config hash); " +
      'no backend needed',
  )
  .requiredOption('-c, --config <path...>', 'experiment config (JSON); with --json, several give one line each')
  .option(
    '--set <key=value>',
    'override a config field (repeatable)',
    (v: string, all: Override[]) => [...all, parseOverride(v)],
    [] as Override[],
  )
  .option('--json', 'print the plan as JSON (what the Nx plugin reads)')
  .action((o: { config: string[]; set: Override[]; json?: boolean }) => {
    const planOf = (path: string) => {
      const config = loadExperimentConfig(path, o.set);
      return planExperiment(config, join('runs', config.name), '');
    };
    if (o.json) {
      // one line per config, in order; an invalid one is a line with its error, so the others still plan
      for (const path of o.config) {
        try {
          console.log(JSON.stringify(planJson(planOf(path))));
        } catch (error) {
          console.log(JSON.stringify({ config: path, error: (error as Error).message }));
          process.exitCode = 1;
        }
      }
      return;
    }
    if (o.config.length > 1) throw new Error('--config: give one config (several only with --json)');
    const plan = planOf(o.config[0]);
    for (const v of plan.variants)
      console.log(
        `data ${v.id || '(single)'}: ${v.label}, ` +
          `seed ${v.seed}${v.sameAs !== undefined ? ` = ${v.sameAs || '(single)'}` : ''}`,
      );
    for (const r of plan.runs) console.log(`run ${r.name}${r.sameAs ? ` = ${r.sameAs}` : ''}  ${r.dir}`);
    console.log(`${plan.runs.length} runs, ${ownRuns(plan).length} distinct (runs with the same settings train once)`);
  });

// `data` needs --config, but its `fetch` subcommand does not: commander checks a parent's mandatory
// options for its subcommands
const data = withCommon(
  program
    .command('data')
    .description(
      'generate / load and tokenise the data: SFT demonstrations, pairs, ranked lists, eval prompts (or: data fetch)',
    ),
  false,
)
  .option('--variant <id>', "one data variant (a point of the config's data grid; spo plan lists them)")
  .action(async (o: CommonOptions & { variant?: string }) => {
    if (!o.config)
      throw new Error(
        'data needs --config <path> (e.g. experiments/quickstart/config.json); ' +
          'to download a public dataset: spo data fetch <name>',
      );
    const ctx = await context(o);
    for (const v of findVariant(ctx.plan, o.variant)) await dataStage(ctx, v);
  });

data
  .command('fetch')
  .description(
    `put public datasets under data/<name> and pretrained models under models/<name>, ` +
      `sha256-checked: ${PUBLIC_ARTIFACTS.map((d) => d.name).join(', ')} (or "all")`,
  )
  .argument('<names...>', 'dataset or model names, or "all"')
  .option(
    '--from <dir>',
    'a local mirror (no network): a folder holding <name>/<files>, or data/<name>/ and models/<name>/',
  )
  .option('--to <dir>', 'where they go, each in <dir>/<name> (default: data/ for datasets, models/ for models)')
  .action(async (names: string[], o: { from?: string; to?: string }) => {
    const artifacts = names.includes('all') ? PUBLIC_ARTIFACTS : names.map(publicArtifact);
    for (const a of artifacts) {
      log(`[fetch] ${a.name}: ${a.description} (${a.license})`);
      await fetchArtifact(a, { to: artifactFolder(a, o.to), from: o.from, log });
    }
  });

program
  .command('prepare')
  .description(
    'load, check, split, tokenise the data into the prepared-data cache and report what happened (no backend needed)',
  )
  .requiredOption('-c, --config <path>', 'experiment config (JSON) whose "data" section to prepare')
  .option(
    '--set <key=value>',
    'override a config field (repeatable)',
    (v: string, all: Override[]) => [...all, parseOverride(v)],
    [] as Override[],
  )
  .option('--report <path>', 'where the pruning report goes (default: runs/<experiment name>/pruning-report.json)')
  .action(async (o: { config: string; set: Override[]; report?: string }) => {
    const config = loadExperimentConfig(o.config, o.set);
    await prepare(config, o.report ?? join('runs', config.name, 'pruning-report.json'), log);
  });

withCommon(program.command('sft').description('supervised fine-tuning from scratch on the demonstrations'))
  .option('--variant <id>', 'one data variant (spo plan lists them)')
  .action(async (o: CommonOptions & { variant?: string }) => {
    const ctx = await context(o);
    for (const v of findVariant(ctx.plan, o.variant)) await sftStage(ctx, v);
  });

withCommon(
  program
    .command('train')
    .description(
      'one run: preference training of its method from the SFT model, then its eval; or (--stage rm) the reward model',
    ),
)
  .option('-r, --run <name>', 'a run name (spo plan lists them; without grid and seeds it is the method name)')
  .option('-m, --method <name>', 'the same as --run, for experiments whose runs are their methods')
  .addOption(
    new Option(
      '--stage <stage>',
      'train the reward model (the config\'s "rewardModel" section) instead of a run',
    ).choices(['rm']),
  )
  .option('--variant <id>', 'with --stage rm: one data variant')
  .option('--no-eval', "train only; leave the run's eval for later")
  .action(
    async (o: CommonOptions & { run?: string; method?: string; stage?: 'rm'; variant?: string; eval: boolean }) => {
      const name = o.run ?? o.method;
      if ((name === undefined) === (o.stage === undefined))
        throw new Error('train needs one of --run <name> or --stage rm');
      const ctx = await context(o);
      if (o.stage === 'rm') {
        for (const v of findVariant(ctx.plan, o.variant)) await rewardModelStage(ctx, v);
        return;
      }
      const run = findRun(ctx.plan, name!);
      await trainStage(ctx, run);
      if (o.eval) await evalRunStage(ctx, run);
    },
  );

withCommon(
  program.command('eval').description("sample each run's policy and the baseline on held-out prompts and score them"),
)
  .option('-r, --run <name>', 'one run (default: every run)')
  .action(async (o: CommonOptions & { run?: string }) => {
    const ctx = await context(o);
    for (const run of o.run ? [findRun(ctx.plan, o.run)] : ownRuns(ctx.plan)) await evalRunStage(ctx, run);
  });

withCommon(
  program
    .command('report')
    .description(
      'write results.csv, paired.csv, the comparison tables, results.md, the figures and the report page from the runs',
    ),
)
  .option('--open', 'open the report page in the default browser when it is written')
  .action(async (o: CommonOptions & { open?: boolean }) => {
    const ctx = await context(o);
    const [{ reportStage }, { openInBrowser }] = await Promise.all([
      import('@spo/reports'),
      import('./view/open-in-browser.js'),
    ]);
    await reportStage(ctx, reproduceCommand(o, ctx.backend));
    if (o.open) openInBrowser(join(ctx.reportDir, 'index.html'));
  });

program
  .command('view')
  .description(
    'serve the reports folder on 127.0.0.1, with live training curves of running experiments at /live/<experiment>',
  )
  .option('--port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 8080)
  .option('--reports <dir>', 'the reports folder', 'reports')
  .option('--runs <dir>', 'the runs folder the live curves read', 'runs')
  .action(async (o: { port: number; reports: string; runs: string }) => {
    const { startViewServer } = await import('./view/view-server.js');
    const server = await startViewServer({
      reportsDir: o.reports,
      runsDir: o.runs,
      host: '127.0.0.1',
      port: o.port,
      log,
    });
    process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
  });

withCommon(
  program
    .command('compare')
    .description(
      'runs grouped by a setting, each against a baseline method ' +
        'on the same seeds and prompts, with paired differences',
    ),
)
  .requiredOption(
    '--by <setting>',
    'the setting whose values make the rows: spo.lambda, spo.degrees, data.labelTemperature, method, ...',
  )
  .requiredOption('--baseline <method>', 'the method every row is compared with, e.g. dpo')
  .option('--methods <names>', 'only these methods (comma-separated)')
  .action(async (o: CommonOptions & { by: string; baseline: string; methods?: string }) => {
    const ctx = await context(o);
    const { compareRuns, comparisonFile, comparisonMarkdown, writeComparisonCsv } = await import('@spo/reports');
    const { results, missing } = collectResults(ctx.plan);
    const spec = {
      by: o.by,
      baseline: o.baseline,
      ...(o.methods ? { methods: o.methods.split(',').map((m) => m.trim()) } : {}),
    };
    const c = compareRuns(results, spec);
    const path = join(ctx.reportDir, comparisonFile(spec));
    writeComparisonCsv(path, c);
    console.log(comparisonMarkdown(c).join('\n'));
    log(
      `[compare] ${c.rows.length} rows from ${results.length} ` +
        `runs${missing.length ? ` (${missing.length} not run yet)` : ''}; CSV: ${path}`,
    );
  });

withCommon(
  program.command('run').description('every stage in order; finished stages are skipped, a killed one resumes'),
)
  .addOption(
    new Option(
      '-j, --jobs <n>',
      'stage tasks at once, each on its own long-lived worker process with a share of the BLAS threads ' +
        '(same numbers as one at a time; default: $SPO_JOBS, else the layout measured best for this many cores)',
    ).argParser(positiveInteger('--jobs')),
  )
  .action(async (o: CommonOptions & { jobs?: number }) => {
    const ctx = await context(o);
    const { jobsToRun, runExperiment } = await import('./run-experiment.js');
    const workerArgs = [...commonArgs(o, ctx.backend.name), ...(o.force ? ['--force'] : [])];
    await runExperiment(ctx, reproduceCommand(o, ctx.backend), { jobs: jobsToRun(o.jobs), workerArgs });
  });

withCommon(
  program.command('stage-worker', { hidden: true }).description('runs the stage tasks `spo run --jobs` sends it'),
).action(async (o: CommonOptions) => (await import('./stage-workers.js')).serveStageTasks(await context(o)));

function positiveInteger(option: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${option} takes a whole number ≥ 1, not "${v}"`);
    return n;
  };
}

/** The options of `o` that every stage command of a submitted plan repeats. */
function commonArgs(o: CommonOptions, backend: string): string[] {
  return [
    '--config',
    o.config,
    ...o.set.flatMap((x) => ['--set', `${x.path}=${JSON.stringify(x.value)}`]),
    ...(o.runDir ? ['--run-dir', o.runDir] : []),
    ...(o.reportDir ? ['--report-dir', o.reportDir] : []),
    '--backend',
    backend,
  ];
}

function printStates(states: StageState[]): void {
  const rows = states.map((s) => [
    s.stage,
    s.status,
    s.jobId ?? '',
    s.slurm ?? '',
    s.status === 'failed' ? (s.log ?? '') : '',
  ]);
  const header = ['stage', 'status', 'job', 'slurm', 'log'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((x, i) => x.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}

withCommon(
  program
    .command('submit')
    .description(
      "queue the plan's unfinished stages on a cluster: one job per data-variant stage (data -> sft -> rm), " +
        "each variant's runs as a job array, the report last; a second submit queues only what is missing",
    ),
)
  .addOption(new Option('--engine <engine>', 'the scheduler').choices(['slurm']).default('slurm'))
  .option('--wait', 'block until the plan ends; exit non-zero if any job failed or was cancelled')
  .option('--dry-run', 'print the sbatch lines without submitting')
  .option('--max-parallel <n>', "most runs of one data variant at once (the job array's %N)", (v) =>
    Number.parseInt(v, 10),
  )
  .option(
    '--sbatch-arg <arg>',
    'one more sbatch option for every job, e.g. --sbatch-arg=--exclusive (repeatable)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .action(
    async (o: CommonOptions & { wait?: boolean; dryRun?: boolean; maxParallel?: number; sbatchArg: string[] }) => {
      const ctx = await context(o);
      if (!o.dryRun && !slurmAvailable())
        throw new Error(
          'no Slurm controller answers here (sinfo failed): submit from a login node of the cluster, ' +
            'or start a single-node one with tools/slurm/local-cluster.sh',
        );
      const jobs = submitToSlurm({
        plan: ctx.plan,
        spo: [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)],
        common: commonArgs(o, ctx.backend.name),
        reportDir: ctx.reportDir,
        numerics: numericsPath(ctx.backend),
        force: o.force,
        maxParallel: o.maxParallel,
        sbatchArgs: o.sbatchArg,
        dryRun: o.dryRun,
        log,
      });
      if (!o.wait || o.dryRun || jobs.length === 0) return;
      const states = await waitForSlurm(ctx.plan, ctx.reportDir, log);
      const bad = states.filter((s) => s.status === 'failed' || s.status === 'cancelled');
      if (bad.length) {
        printStates(bad);
        throw new Error(`${bad.length} stage(s) did not finish; their logs are listed above (spo status shows all)`);
      }
      log(`[submit] every stage of ${ctx.config.name} is done; report in ${ctx.reportDir}`);
    },
  );

withCommon(program.command('status').description('where each stage of a submitted plan stands (Slurm)'))
  .option('--json', 'one JSON object per stage')
  .action(async (o: CommonOptions & { json?: boolean }) => {
    const ctx = await context(o);
    const states = slurmStatus(ctx.plan, ctx.reportDir);
    if (o.json) console.log(JSON.stringify(states, null, 2));
    else printStates(states);
  });

withCommon(program.command('cancel').description("cancel the submitted plan's queued and running jobs (Slurm)")).action(
  async (o: CommonOptions) => {
    const ctx = await context(o);
    const cancelled = cancelSlurmJobs(ctx.plan);
    log(cancelled.length ? `[cancel] cancelled jobs ${cancelled.join(', ')}` : '[cancel] no job was queued or running');
  },
);

program
  .command('serve')
  .description('an OpenAI-compatible chat-completions server over a checkpoint (POST /v1/chat/completions)')
  .requiredOption(
    '--checkpoint <dir>',
    'a model folder: a checkpoint (e.g. runs/quickstart/dpo-spo/final), a Hugging Face or a llama2.c folder',
  )
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 8000)
  .addOption(
    new Option(
      '--format <format>',
      'how messages become the prompt: raw (the last user message), ' +
        "hh (Human:/Assistant:), template (the tokenizer's chat template)",
    )
      .choices([...PROMPT_FORMATS])
      .default('raw'),
  )
  .option(
    '--model-name <name>',
    "the model id the server reports and requests must name (default: the checkpoint folder's last two names)",
  )
  .option(
    '--max-body-bytes <n>',
    'largest request body accepted; larger ones get a 413',
    (v) => Number.parseInt(v, 10),
    DEFAULT_MAX_BODY_BYTES,
  )
  .option(
    '--max-queue <n>',
    'requests waiting or in progress before new ones get a 503 with Retry-After',
    (v) => Number.parseInt(v, 10),
    DEFAULT_MAX_QUEUE,
  )
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .action(
    async (o: {
      checkpoint: string;
      host: string;
      port: number;
      format: PromptFormat;
      modelName?: string;
      maxBodyBytes: number;
      maxQueue: number;
      backend?: BackendRequest;
    }) => {
      for (const [flag, v] of [
        ['--max-body-bytes', o.maxBodyBytes],
        ['--max-queue', o.maxQueue],
      ] as const)
        if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} must be a whole number above 0`);
      await initBackend(o.backend, log);
      const server = await startChatServer({ ...o, log });
      process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
    },
  );

program
  .command('sample')
  .description(
    'print a sample from a model folder (a checkpoint, a Hugging Face folder or a llama2.c folder), token by token',
  )
  .requiredOption(
    '--model <dir>',
    'the model folder, e.g. models/stories260K (spo data fetch stories260K) or runs/quickstart/dpo/final',
  )
  .option('--prompt <text>', 'text the sample continues (after BOS)', '')
  .option('--max-new-tokens <n>', 'most tokens to generate', (v) => Number.parseInt(v, 10), 256)
  .option('--temperature <t>', '0 is greedy', Number.parseFloat, 1)
  .option('--top-p <p>', 'nucleus sampling mass (1: off)', Number.parseFloat, 0.9)
  .option('--seed <n>', 'random seed of the sample', (v) => Number.parseInt(v, 10), 1)
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .action(
    async (o: {
      model: string;
      prompt: string;
      maxNewTokens: number;
      temperature: number;
      topP: number;
      seed: number;
      backend?: BackendRequest;
    }) => {
      await initBackend(o.backend, log);
      sample(o, (text) => process.stdout.write(text), log);
    },
  );

program
  .command('export')
  .description(
    'write a model folder (a checkpoint, a Hugging Face or a llama2.c folder) as a Hugging Face folder: ' +
      'config.json, model.safetensors, tokenizer files, generation_config.json',
  )
  .requiredOption(
    '--model <dir>',
    'the model folder, e.g. models/stories260K ' +
      '(spo data fetch stories260K) or runs/stories-pretrained/dpo.seed=1/final',
  )
  .requiredOption('--out <dir>', 'the folder to write (replaced atomically)')
  .action(async (o: { model: string; out: string }) => {
    await initBackend('cpu', () => {});
    exportModel(o.model, o.out, log);
  });

program
  .command('losses')
  .description('list the registered preference losses with their papers and defaults')
  .action(() => {
    const rows = Object.entries(PREFERENCE_LOSSES).map(([name, spec]) => {
      const defaults = Object.entries(spec.params.parse({}) as Record<string, unknown>)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ');
      const divergence = spec.params.safeParse({ divergence: 'js' }).success ? ' (+ divergence)' : '';
      return [name, spec.input, spec.usesReference ? 'ref' : 'no ref', defaults + divergence, spec.paper];
    });
    const header = ['loss', 'input', 'reference', 'defaults', 'paper'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows])
      console.log(
        row
          .map((x, i) => x.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      );
    console.log(
      '\n(+ divergence): params.divergence takes reverse-kl (default), forward-kl, js ' +
        'or alpha (with divergenceAlpha).\n' +
        'Any method may also set losses (a weighted mixture), ldAlpha (LD-DPO), weighting: "wpo" (WPO), ' +
        'referenceSync (TR-DPO), sftWeight, spo and kl: packages/losses/README.md.',
    );
  });

/** The plan as the Nx plugin reads it: each stage's target name, dependencies, hash and folder. */
function planJson(plan: ExperimentPlan) {
  const suffix = (v: Variant) => (v.id ? `-${v.id}` : '');
  return {
    name: plan.config.name,
    rewardModel: plan.config.rewardModel !== undefined,
    judged: plan.config.eval.judge !== undefined,
    dataFiles: plan.config.data.source === 'files',
    variants: ownVariants(plan).map((v) => ({ id: v.id, suffix: suffix(v), dirs: v.dirs, hashes: v.hashes })),
    runs: ownRuns(plan).map((r) => ({ name: r.name, variantSuffix: suffix(r.variant), dir: r.dir, hashes: r.hashes })),
  };
}

program.parseAsync().catch((error: Error) => {
  console.error(`spo: ${error.message}`);
  process.exit(1);
});
