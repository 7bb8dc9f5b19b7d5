// Summarisation, mirroring the paper's TL;DR task: a document of key facts ("alice owns boats .")
// among filler sentences; a good summary states every key fact, invents none, and adds nothing else.
// Oracle: share of facts covered − 0.5 per invented fact − 0.05 per extra token.
// The facts come from a fixed world of one fact per person, so a model of a few hundred thousand
// parameters learns to pick the document's facts in minutes instead of having to learn to copy
// arbitrary triples; an invented fact is a true fact about someone the document does not mention.
import type { Rng } from '@spo/engine';
import { sentences, type CrowdTask, type TaskPrompt } from './task.js';

const WORLD = [
  'alice likes tea',
  'bob owns boats',
  'carol visited paris',
  'dave fears spiders',
  'erin builds bikes',
  'frank sells clocks',
  'grace visited rome',
  'heidi fears bees',
  'ivan builds kites',
  'judy sells maps',
  'ken owns lamps',
  'lena visited oslo',
  'mona likes drums',
  'nick sells hats',
  'olga fears wolves',
  'pete owns tents',
];
const NAMES = WORLD.map((f) => f.split(' ')[0]);
const RELATIONS = [...new Set(WORLD.map((f) => f.split(' ')[1]))];
const OBJECTS = WORLD.map((f) => f.split(' ')[2]);
const FILLER = [
  'the weather was mild',
  'it rained in the morning',
  'the meeting ran late',
  'everyone was tired',
  'the street was quiet',
  'the news was short',
  'nothing else happened',
  'the day went by slowly',
];

export interface SummarizationContext {
  facts: string[];
}

const FACT_PENALTY = 0.5;
const EXTRA_TOKEN_PENALTY = 0.05;

function isFactShape(words: string[]): boolean {
  return words.length === 3 && NAMES.includes(words[0]) && RELATIONS.includes(words[1]) && OBJECTS.includes(words[2]);
}

export const summarizationTask: CrowdTask<SummarizationContext> = {
  name: 'summarization',

  samplePrompt(rng: Rng): TaskPrompt<SummarizationContext> {
    const facts = rng.sample(WORLD, 2 + rng.int(3));
    const filler = rng.sample(FILLER, 2);
    const body = rng.shuffle([...facts.map((f) => ({ f, key: true })), ...filler.map((f) => ({ f, key: false }))]);
    return {
      prompt: `summarize : ${body.map((s) => `${s.f} .`).join(' ')} tl;dr :`,
      // facts in document order: the order a careful summary keeps
      context: { facts: body.filter((s) => s.key).map((s) => s.f) },
    };
  },

  sampleResponse({ prompt, context }: TaskPrompt<SummarizationContext>, rng: Rng): string {
    let parts = [...context.facts];
    if (rng.bernoulli(0.4)) {
      const drop = 1 + rng.int(parts.length - 1);
      const dropped = new Set(rng.sample(parts, drop));
      parts = parts.filter((f) => !dropped.has(f));
    }
    if (rng.bernoulli(0.3)) {
      const invented = rng.pick(WORLD.filter((f) => !context.facts.includes(f)));
      parts.splice(rng.int(parts.length + 1), 0, invented);
    }
    if (rng.bernoulli(0.3)) {
      const docFiller = sentences(prompt.replace(/^summarize :/, '').replace(/tl;dr :$/, ''))
        .map((s) => s.join(' '))
        .filter((s) => !context.facts.includes(s));
      parts.splice(rng.int(parts.length + 1), 0, rng.pick(docFiller));
    }
    return parts.map((p) => `${p} .`).join(' ');
  },

  oracle({ facts }: SummarizationContext, response: string): number {
    const covered = new Set<string>();
    let invented = 0;
    let extra = 0;
    for (const words of sentences(response)) {
      const s = words.join(' ');
      if (facts.includes(s) && !covered.has(s)) covered.add(s);
      else if (isFactShape(words) && !facts.includes(s)) invented++;
      else extra += words.length + 1;
    }
    // a period-free tail or stray tokens count as extra through sentences(); an empty summary covers nothing
    return covered.size / facts.length - FACT_PENALTY * invented - EXTRA_TOKEN_PENALTY * extra;
  },

  vocabulary(): string[] {
    return [...NAMES, ...RELATIONS, ...OBJECTS, ...FILLER.flatMap((f) => f.split(' ')), 'summarize', ':', '.', 'tl;dr'];
  },
};
