// The public datasets and pretrained models the real-data experiments use, file by file: where each
// comes from (a pinned commit of a public repository), its size and its sha256. `spo data fetch <name>`
// puts a dataset under data/<name>/ and a model under models/<name>/ (both git-ignored), with the same
// relative paths, from the network or from a local mirror folder. Provenance notes (which copies are
// official, what is missing) are in docs/datasets.md.

import { join } from 'node:path';

export interface PublicFile {
  /** Path under the dataset's folder (and under a mirror's). */
  path: string;
  url: string;
  bytes: number;
  sha256: string;
}

export interface PublicArtifact {
  name: string;
  /** A dataset goes under data/<name>, a model under models/<name>. */
  kind: 'dataset' | 'model';
  description: string;
  license: string;
  files: PublicFile[];
}

const github = (repo: string, commit: string, path: string) =>
  `https://raw.githubusercontent.com/${repo}/${commit}/${path}`;
const HH_OFFICIAL = ['anthropics/hh-rlhf', '354e5c3cb8960630860dd5774a6ac2a58313bf4d'] as const;
// the official helpful-* files are Git LFS pointers; this tutorial repository committed real copies
const HH_COPY = ['DaehanKim/EasyRLHF', '45eccb72ddb8c18aa52dc2a184516380e06582fe'] as const;
const MLAB = ['redwoodresearch/mlab', 'b117473d3321887cfab9325782542016c9a996be'] as const;
const LLAMA_FACTORY = ['hiyouga/LLaMA-Factory', 'ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30'] as const;
const huggingFace = (repo: string, revision: string, path: string) =>
  `https://huggingface.co/${repo}/resolve/${revision}/${path}`;
// the sha256 below pins the bytes (llama2.c's legacy checkpoint format) whatever the branch holds
const TINYLLAMAS = ['karpathy/tinyllamas', 'main'] as const;

export const PUBLIC_ARTIFACTS: PublicArtifact[] = [
  {
    name: 'hh-rlhf',
    kind: 'dataset',
    description: 'Anthropic HH-RLHF test splits (Bai et al. 2022): 8,552 dialogue comparisons',
    license: 'MIT',
    files: [
      {
        path: 'harmless-base/test.jsonl.gz',
        url: github(...HH_OFFICIAL, 'harmless-base/test.jsonl.gz'),
        bytes: 742_801,
        sha256: 'ebfaaed21162a4de120ae85366075b34425e2a6303fac59b99555002f7016f03',
      },
      {
        path: 'helpful-base/test.jsonl.gz',
        url: github(...HH_COPY, 'data/helpful-base/test.jsonl.gz'),
        bytes: 875_191,
        sha256: '8be3fc1a13b27901631696f2be6f184c799f1baeaf145f53ac5db24960adc37b',
      },
      {
        path: 'helpful-online/test.jsonl.gz',
        url: github(...HH_COPY, 'data/helpful-online/test.jsonl.gz'),
        bytes: 1_052_826,
        sha256: '2094b210af6b2a792b1169d2930586c4b4b384d3b8a4a14460702d383c17df7f',
      },
      {
        path: 'helpful-rejection-sampled/test.jsonl.gz',
        url: github(...HH_COPY, 'data/helpful-rejection-sampled/test.jsonl.gz'),
        bytes: 1_361_747,
        sha256: '6186fc698c638dd5c6bbb33e0c115762d6fdfac0a18969ff4901545307f89a54',
      },
    ],
  },
  {
    name: 'summarize-from-feedback',
    kind: 'dataset',
    description:
      'OpenAI summarize-from-feedback human comparisons (Stiennon et al. 2020), ' +
      'validation batches: 1,776 TL;DR and 437 CNN/DM',
    license: "OpenAI's modified MIT license for the comparisons; the Reddit posts follow the TL;DR corpus's terms",
    files: [
      {
        path: 'comparisons/batch13.json',
        url: github(...MLAB, 'comparisons/batch13.json'),
        bytes: 2_321_186,
        sha256: 'e4f4de3ad8763b801c4b45ff277e1ead75e9c4105f1b0837793c4b51477ec122',
      },
      {
        path: 'comparisons/batch18.json',
        url: github(...MLAB, 'comparisons/batch18.json'),
        bytes: 1_360_457,
        sha256: '5008e223e287b4c38e434e270cf77301993adba70e1f87362f35fb928f83863a',
      },
      {
        path: 'comparisons/cnndm0.json',
        url: github(...MLAB, 'comparisons/cnndm0.json'),
        bytes: 2_182_887,
        sha256: 'be936926b85b8d42d708529bb4fae2470918cb0bd7d8d3eb3c7a4b4cb986225b',
      },
      {
        path: 'comparisons/edit_b2_eval_test.json',
        url: github(...MLAB, 'comparisons/edit_b2_eval_test.json'),
        bytes: 10_054,
        sha256: '6fa83abe0e2ecbae78644962af03c91bbf896db8ecaaf3ab672b8283a96c16c6',
      },
    ],
  },
  {
    name: 'llamafactory-dpo-en-demo',
    kind: 'dataset',
    description: "LLaMA-Factory's English DPO demo set: 300 ShareGPT-style pairs",
    license: 'Apache-2.0',
    files: [
      {
        path: 'dpo_en_demo.json',
        url: github(...LLAMA_FACTORY, 'data/dpo_en_demo.json'),
        bytes: 1_575_286,
        sha256: 'b949be2421cfa62744afcf1b479f95b299d643d1a4c1c97d1341b314a1aa5cb3',
      },
    ],
  },
  {
    name: 'stories260K',
    kind: 'model',
    description:
      "llama2.c's stories260K: a 260K-parameter Llama (5 layers, d=64, grouped-query attention) " +
      'trained on TinyStories by Andrej Karpathy, with its 512-piece tokenizer',
    license: 'MIT',
    files: [
      {
        path: 'stories260K.bin',
        url: huggingFace(...TINYLLAMAS, 'stories260K/stories260K.bin'),
        bytes: 1_056_540,
        sha256: 'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696',
      },
      {
        path: 'tok512.bin',
        url: huggingFace(...TINYLLAMAS, 'stories260K/tok512.bin'),
        bytes: 6_227,
        sha256: '037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312',
      },
    ],
  },
];

/** The folder an artifact goes into, under a root (default: data/ for datasets, models/ for models). */
export function artifactFolder(a: PublicArtifact, root?: string): string {
  return join(root ?? (a.kind === 'model' ? 'models' : 'data'), a.name);
}

export function publicArtifact(name: string): PublicArtifact {
  const a = PUBLIC_ARTIFACTS.find((x) => x.name === name);
  if (!a)
    throw new Error(`no public dataset or model "${name}"; known: ${PUBLIC_ARTIFACTS.map((x) => x.name).join(', ')}`);
  return a;
}

/** The command that fetches the artifact a path lies in (e.g. data/hh-rlhf/..., models/stories260K), or undefined. */
export function fetchHint(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  const a = PUBLIC_ARTIFACTS.find((x) => parts.includes(x.name));
  return (
    a &&
    `fetch it with: npm run spo -- data fetch ${a.name}   (offline: add --from <a mirror folder holding ${a.name}/>)`
  );
}

/** The error for a data file that is not there; under data/<public dataset>/ it gives the command that fetches it. */
export function missingDataFile(path: string): Error {
  const hint = fetchHint(path);
  return new Error(
    `data.files: ${path} does not exist ` +
      `(paths are relative to the directory you run spo or nx from)${hint ? `; ${hint}` : ''}`,
  );
}
