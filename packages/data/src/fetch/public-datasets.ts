// The public preference datasets the real-data experiments use, file by file: where each comes from
// (a pinned commit of a public repository), its size and its sha256. `spo data fetch <name>` puts them
// under data/<name>/ with the same relative paths, from the network or from a local mirror folder.
// Provenance notes (which copies are official, what is missing) are in docs/datasets.md.

export interface PublicFile {
  /** Path under the dataset's folder (and under a mirror's). */
  path: string;
  url: string;
  bytes: number;
  sha256: string;
}

export interface PublicDataset {
  name: string;
  description: string;
  license: string;
  files: PublicFile[];
}

const github = (repo: string, commit: string, path: string) => `https://raw.githubusercontent.com/${repo}/${commit}/${path}`;
const HH_OFFICIAL = ['anthropics/hh-rlhf', '354e5c3cb8960630860dd5774a6ac2a58313bf4d'] as const;
// the official helpful-* files are Git LFS pointers; this tutorial repository committed real copies
const HH_COPY = ['DaehanKim/EasyRLHF', '45eccb72ddb8c18aa52dc2a184516380e06582fe'] as const;
const MLAB = ['redwoodresearch/mlab', 'b117473d3321887cfab9325782542016c9a996be'] as const;
const LLAMA_FACTORY = ['hiyouga/LLaMA-Factory', 'ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30'] as const;

export const PUBLIC_DATASETS: PublicDataset[] = [
  {
    name: 'hh-rlhf',
    description: 'Anthropic HH-RLHF test splits (Bai et al. 2022): 8,552 dialogue comparisons',
    license: 'MIT',
    files: [
      { path: 'harmless-base/test.jsonl.gz', url: github(...HH_OFFICIAL, 'harmless-base/test.jsonl.gz'), bytes: 742_801, sha256: 'ebfaaed21162a4de120ae85366075b34425e2a6303fac59b99555002f7016f03' },
      { path: 'helpful-base/test.jsonl.gz', url: github(...HH_COPY, 'data/helpful-base/test.jsonl.gz'), bytes: 875_191, sha256: '8be3fc1a13b27901631696f2be6f184c799f1baeaf145f53ac5db24960adc37b' },
      { path: 'helpful-online/test.jsonl.gz', url: github(...HH_COPY, 'data/helpful-online/test.jsonl.gz'), bytes: 1_052_826, sha256: '2094b210af6b2a792b1169d2930586c4b4b384d3b8a4a14460702d383c17df7f' },
      { path: 'helpful-rejection-sampled/test.jsonl.gz', url: github(...HH_COPY, 'data/helpful-rejection-sampled/test.jsonl.gz'), bytes: 1_361_747, sha256: '6186fc698c638dd5c6bbb33e0c115762d6fdfac0a18969ff4901545307f89a54' },
    ],
  },
  {
    name: 'summarize-from-feedback',
    description: 'OpenAI summarize-from-feedback human comparisons (Stiennon et al. 2020), validation batches: 1,776 TL;DR and 437 CNN/DM',
    license: "OpenAI's modified MIT license for the comparisons; the Reddit posts follow the TL;DR corpus's terms",
    files: [
      { path: 'comparisons/batch13.json', url: github(...MLAB, 'comparisons/batch13.json'), bytes: 2_321_186, sha256: 'e4f4de3ad8763b801c4b45ff277e1ead75e9c4105f1b0837793c4b51477ec122' },
      { path: 'comparisons/batch18.json', url: github(...MLAB, 'comparisons/batch18.json'), bytes: 1_360_457, sha256: '5008e223e287b4c38e434e270cf77301993adba70e1f87362f35fb928f83863a' },
      { path: 'comparisons/cnndm0.json', url: github(...MLAB, 'comparisons/cnndm0.json'), bytes: 2_182_887, sha256: 'be936926b85b8d42d708529bb4fae2470918cb0bd7d8d3eb3c7a4b4cb986225b' },
      { path: 'comparisons/edit_b2_eval_test.json', url: github(...MLAB, 'comparisons/edit_b2_eval_test.json'), bytes: 10_054, sha256: '6fa83abe0e2ecbae78644962af03c91bbf896db8ecaaf3ab672b8283a96c16c6' },
    ],
  },
  {
    name: 'llamafactory-dpo-en-demo',
    description: "LLaMA-Factory's English DPO demo set: 300 ShareGPT-style pairs",
    license: 'Apache-2.0',
    files: [
      { path: 'dpo_en_demo.json', url: github(...LLAMA_FACTORY, 'data/dpo_en_demo.json'), bytes: 1_575_286, sha256: 'b949be2421cfa62744afcf1b479f95b299d643d1a4c1c97d1341b314a1aa5cb3' },
    ],
  },
];

export function publicDataset(name: string): PublicDataset {
  const d = PUBLIC_DATASETS.find((x) => x.name === name);
  if (!d) throw new Error(`no public dataset "${name}"; known: ${PUBLIC_DATASETS.map((x) => x.name).join(', ')}`);
  return d;
}

/** The error for a data file that is not there; under data/<public dataset>/ it gives the command that fetches it. */
export function missingDataFile(path: string): Error {
  const name = PUBLIC_DATASETS.find((d) => path.split(/[\\/]/).includes(d.name))?.name;
  const hint = name ? `; fetch it with: npm run spo -- data fetch ${name}   (offline: add --from <a folder holding ${name}/>)` : '';
  return new Error(`data.files: ${path} does not exist (paths are relative to the directory you run spo or nx from)${hint}`);
}
