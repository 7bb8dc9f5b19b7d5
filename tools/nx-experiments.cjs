// Nx plugin: every experiments/<name>/config.json becomes a project whose targets are the experiment's
// stages: data -> sft -> train-<method> (one per method in the config) and train-rm (when the config has
// a "rewardModel" section) -> eval -> report, and `run` (all of them). Each target calls the `spo` CLI,
// declares the config and library sources as inputs and its run folder as output, so Nx caches finished
// stages and reruns only what a change reaches. Experiments on data files (data.source "files") also
// hash those files' contents into every target; they have no oracle, so they get eval and report only
// when something else can score them (a reward model or an LLM judge) and otherwise stop at training.
// An eval with an LLM judge is never cached by Nx: the judge's own cache makes a re-run cheap, and a
// judged result depends on a remote model that Nx cannot hash.
const { readFileSync } = require('node:fs');
const { dirname, basename } = require('node:path');

function stage(configPath, runDir, command, dependsOn, output, { parallel = false, dataFiles = false } = {}) {
  return {
    command: `tsx packages/cli/src/main.ts ${command} --config ${configPath}`,
    ...(dependsOn.length ? { dependsOn } : {}),
    cache: true,
    ...(parallel ? {} : { parallelism: false }),
    inputs: ['experiment', ...(dataFiles ? [{ runtime: `node tools/data-fingerprint.cjs ${configPath}` }] : [])],
    outputs: [`{workspaceRoot}/${output ?? runDir}`],
  };
}

function experimentTargets(configPath, workspaceRoot) {
  const config = JSON.parse(readFileSync(`${workspaceRoot}/${configPath}`, 'utf8'));
  const name = config.name ?? basename(dirname(configPath));
  const runs = `runs/${name}`;
  const methods = (config.methods ?? []).map((m) => m.name);
  const dataFiles = config.data?.source === 'files';
  const targets = {
    data: stage(configPath, runs, 'data', [], `${runs}/data`, { parallel: true, dataFiles }),
    sft: stage(configPath, runs, 'sft', ['data'], `${runs}/sft`, { dataFiles }),
  };
  const trainTargets = methods.map((m) => `train-${m}`);
  if (config.rewardModel) {
    targets['train-rm'] = stage(configPath, runs, 'train --stage rm', ['sft'], `${runs}/rm`, { dataFiles });
    trainTargets.push('train-rm');
  }
  for (const m of methods) targets[`train-${m}`] = stage(configPath, runs, `train --method ${m}`, ['sft'], `${runs}/${m}`, { dataFiles });
  const judged = config.eval?.judge !== undefined;
  const scorable = !dataFiles || config.rewardModel !== undefined || config.eval?.rewardModel !== undefined || judged;
  if (scorable) {
    targets.eval = { ...stage(configPath, runs, 'eval', trainTargets, `${runs}/eval`, { dataFiles }), ...(judged ? { cache: false } : {}) };
    targets.report = stage(configPath, runs, 'report', ['eval'], `reports/${name}`, { parallel: true });
    targets.run = { executor: 'nx:noop', dependsOn: ['report'] };
  } else {
    targets.run = { executor: 'nx:noop', dependsOn: trainTargets };
  }
  return { name, targets };
}

const createNodesV2 = [
  'experiments/*/config.json',
  (configFiles, _options, context) =>
    configFiles.map((file) => {
      const { name, targets } = experimentTargets(file, context.workspaceRoot);
      return [file, { projects: { [dirname(file)]: { name, projectType: 'application', targets } } }];
    }),
];

module.exports = { name: 'spo-experiments', createNodesV2, createNodes: createNodesV2 };
