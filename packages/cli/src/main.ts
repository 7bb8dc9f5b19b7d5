// The `spo` command: run an experiment's stages (data, sft, train, eval, report) from its config.
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_NAMES, initBackend, type BackendRequest } from '@spo/engine';
import { PREFERENCE_LOSSES } from '@spo/losses';
import { fetchDataset, publicDataset, PUBLIC_DATASETS } from '@spo/data';
import { loadExperimentConfig } from './experiment-config.js';
import { versionLine } from './version.js';
import type { StageContext } from './stages/context.js';
import { dataStage } from './stages/data-stage.js';
import { prepare } from './prepare-command.js';
import { sftStage } from './stages/sft-stage.js';
import { trainStage } from './stages/train-stage.js';
import { rewardModelStage } from './stages/rm-stage.js';
import { evalStage } from './stages/eval-stage.js';
import { reportStage } from './stages/report-stage.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_QUEUE, PROMPT_FORMATS, startChatServer, type PromptFormat } from './serve/chat-server.js';

interface CommonOptions {
  config: string;
  runDir?: string;
  reportDir?: string;
  backend?: BackendRequest;
  force?: boolean;
}

const log = (line: string) => console.error(line);

async function context(o: CommonOptions): Promise<StageContext> {
  const config = loadExperimentConfig(o.config);
  const backend = await initBackend(o.backend, log);
  return {
    config,
    configPath: o.config,
    runDir: o.runDir ?? join('runs', config.name),
    reportDir: o.reportDir ?? join('reports', config.name),
    backend,
    log,
    force: o.force,
  };
}

function withCommon(cmd: Command, configRequired = true): Command {
  const config = new Option('-c, --config <path>', 'experiment config (JSON), e.g. experiments/quickstart/config.json');
  return cmd
    .addOption(configRequired ? config.makeOptionMandatory() : config)
    .option('--run-dir <dir>', 'where stage outputs go (default: runs/<experiment name>)')
    .option('--report-dir <dir>', 'where tables go (default: reports/<experiment name>)')
    .addOption(new Option('--backend <name>', `TensorFlow.js backend (default: $SPO_BACKEND or the fastest that loads)`).choices(['auto', ...BACKEND_NAMES]))
    .option('--force', 'retrain the stages this command runs even if they are done (the finished folder is moved to .superseded/, not deleted)');
}

const program = new Command('spo')
  .description('Preference-optimisation experiments: SPO, the DPO family, Soft Preference Optimization.')
  .version(versionLine(), '-V, --version', 'print the version and the commit the code came from')
  .showHelpAfterError();

// `data` needs --config, but its `fetch` subcommand does not: commander checks a parent's mandatory options for its subcommands
const data = withCommon(program.command('data').description('generate / load and tokenise the data: SFT demonstrations, pairs, ranked lists, eval prompts (or: data fetch)'), false)
  .action(async (o: CommonOptions) => {
    if (!o.config) throw new Error('data needs --config <path> (e.g. experiments/quickstart/config.json); to download a public dataset: spo data fetch <name>');
    await dataStage(await context(o));
  });

data.command('fetch').description(`put public preference datasets under data/<name>, sha256-checked: ${PUBLIC_DATASETS.map((d) => d.name).join(', ')} (or "all")`)
  .argument('<names...>', 'dataset names, or "all"')
  .option('--from <dir>', 'a local mirror folder holding <name>/<files> (no network), e.g. ../shared/data')
  .option('--to <dir>', 'where datasets go (each in <dir>/<name>)', 'data')
  .action(async (names: string[], o: { from?: string; to: string }) => {
    const datasets = names.includes('all') ? PUBLIC_DATASETS : names.map(publicDataset);
    for (const d of datasets) {
      log(`[fetch] ${d.name}: ${d.description} (${d.license})`);
      await fetchDataset(d, { to: join(o.to, d.name), from: o.from ? join(o.from, d.name) : undefined, log });
    }
  });

program.command('prepare').description('load, check, split, tokenise the data into the prepared-data cache and report what happened (no backend needed)')
  .requiredOption('-c, --config <path>', 'experiment config (JSON) whose "data" section to prepare')
  .option('--report <path>', 'where the pruning report goes (default: runs/<experiment name>/pruning-report.json)')
  .action(async (o: { config: string; report?: string }) => {
    const config = loadExperimentConfig(o.config);
    await prepare(config, o.report ?? join('runs', config.name, 'pruning-report.json'), log);
  });

withCommon(program.command('sft').description('supervised fine-tuning from scratch on the demonstrations'))
  .action(async (o: CommonOptions) => sftStage(await context(o)));

withCommon(program.command('train').description('preference training of one method from the SFT model, or (--stage rm) the reward model'))
  .option('-m, --method <name>', 'a method name from the config\'s "methods"')
  .addOption(new Option('--stage <stage>', 'train the reward model (the config\'s "rewardModel" section) instead of a method').choices(['rm']))
  .action(async (o: CommonOptions & { method?: string; stage?: 'rm' }) => {
    if ((o.method === undefined) === (o.stage === undefined)) throw new Error('train needs one of --method <name> or --stage rm');
    const ctx = await context(o);
    if (o.stage === 'rm') await rewardModelStage(ctx);
    else await trainStage(ctx, o.method!);
  });

withCommon(program.command('eval').description('sample every model on held-out prompts and compute win rates'))
  .action(async (o: CommonOptions) => evalStage(await context(o)));

withCommon(program.command('report').description('write results.csv and results.md'))
  .action(async (o: CommonOptions) => reportStage(await context(o), reproduceCommand(o)));

withCommon(program.command('run').description('every stage in order; finished stages are skipped, a killed one resumes'))
  .action(async (o: CommonOptions) => {
    const ctx = await context(o);
    await dataStage(ctx);
    await sftStage(ctx);
    if (ctx.config.rewardModel) await rewardModelStage(ctx);
    for (const m of ctx.config.methods) await trainStage(ctx, m.name);
    await evalStage(ctx);
    reportStage(ctx, reproduceCommand(o));
  });

program.command('serve').description('an OpenAI-compatible chat-completions server over a checkpoint (POST /v1/chat/completions)')
  .requiredOption('--checkpoint <dir>', 'a checkpoint folder, e.g. runs/quickstart/dpo-spo/final')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 8000)
  .addOption(new Option('--format <format>', 'how messages become the prompt: raw (the last user message), hh (Human:/Assistant:), template (the tokenizer\'s chat template)').choices([...PROMPT_FORMATS]).default('raw'))
  .option('--model-name <name>', 'the model id the server reports and requests must name (default: the checkpoint folder\'s last two names)')
  .option('--max-body-bytes <n>', 'largest request body accepted; larger ones get a 413', (v) => Number.parseInt(v, 10), DEFAULT_MAX_BODY_BYTES)
  .option('--max-queue <n>', 'requests waiting or in progress before new ones get a 503 with Retry-After', (v) => Number.parseInt(v, 10), DEFAULT_MAX_QUEUE)
  .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKEND_NAMES]))
  .action(async (o: { checkpoint: string; host: string; port: number; format: PromptFormat; modelName?: string; maxBodyBytes: number; maxQueue: number; backend?: BackendRequest }) => {
    for (const [flag, v] of [['--max-body-bytes', o.maxBodyBytes], ['--max-queue', o.maxQueue]] as const) if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} must be a whole number above 0`);
    await initBackend(o.backend, log);
    const server = await startChatServer({ ...o, log });
    process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
  });

program.command('losses').description('list the registered preference losses with their papers and defaults')
  .action(() => {
    for (const [name, spec] of Object.entries(PREFERENCE_LOSSES)) {
      const defaults = Object.entries(spec.params.parse({}) as Record<string, unknown>).map(([k, v]) => `${k} = ${v}`).join(', ');
      console.log(`${name.padEnd(10)} ${spec.input.padEnd(6)} ${spec.usesReference ? 'ref   ' : 'no-ref'} ${defaults.padEnd(34)} ${spec.paper}`);
    }
  });

/** The command that reproduces every stage of the report: the experiment's Nx `run` target when Nx started us. */
function reproduceCommand(o: CommonOptions): string {
  const project = process.env.NX_TASK_TARGET_PROJECT;
  return project ? `nx run ${project}:run` : `spo run --config ${o.config}`;
}

program.parseAsync().catch((error: Error) => {
  console.error(`spo: ${error.message}`);
  process.exit(1);
});
