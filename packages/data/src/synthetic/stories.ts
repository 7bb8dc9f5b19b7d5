// Story continuation for a pretrained TinyStories model (stories260K), shaped to SPO's idea of key
// content: an opening names the key elements a continuation should carry on with (a character, an
// object, a place, a companion), and the oracle rewards a continuation for keeping them and penalises
// repetition and degenerate (too short) text. The responses are the pretrained model's own samples
// (sampled-dataset.ts), so the task has no crowd of its own.
//
// Oracle r(y) = coverage − repetition − shortness, where
//   coverage   = share of the four key elements the continuation mentions (a word match; plurals count),
//   repetition = 1 − distinct word trigrams / word trigrams,
//   shortness  = max(0, 1 − words / 12).
import type { Rng } from '@spo/engine';
import type { ModelSampledTask, TaskPrompt } from './task.js';

const CHARACTERS: [name: string, kind: 'girl' | 'boy'][] = [
  ['Lily', 'girl'],
  ['Tim', 'boy'],
  ['Ben', 'boy'],
  ['Sue', 'girl'],
  ['Tom', 'boy'],
  ['Mia', 'girl'],
  ['Max', 'boy'],
  ['Anna', 'girl'],
  ['Sam', 'boy'],
  ['Lucy', 'girl'],
  ['Jack', 'boy'],
  ['Sara', 'girl'],
];
const OBJECTS = ['ball', 'kite', 'doll', 'car', 'book', 'hat', 'box', 'cake', 'boat', 'flower', 'apple', 'truck'];
const ADJECTIVES = ['red', 'big', 'blue', 'shiny', 'little', 'soft', 'green', 'yellow'];
const PLACES = ['park', 'garden', 'forest', 'beach', 'school', 'pond', 'zoo', 'farm', 'river', 'shop'];
const COMPANIONS = ['dog', 'cat', 'bird', 'mom', 'dad', 'friend', 'bunny', 'frog'];

export interface StoryContext {
  /** The key elements: character name, object, place, companion. */
  elements: string[];
}

const MIN_WORDS = 12;

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

function mentions(ws: readonly string[], element: string): boolean {
  const e = element.toLowerCase();
  return ws.some((w) => w === e || w === `${e}s` || w === `${e}'s`);
}

export const storiesTask: ModelSampledTask<StoryContext> = {
  name: 'stories',
  responses: 'model',

  samplePrompt(rng: Rng): TaskPrompt<StoryContext> {
    const [name, kind] = rng.pick(CHARACTERS);
    const object = rng.pick(OBJECTS),
      adjective = rng.pick(ADJECTIVES),
      place = rng.pick(PLACES),
      companion = rng.pick(COMPANIONS);
    const [pronoun, possessive] = kind === 'girl' ? ['She', 'her'] : ['He', 'his'];
    const prompt =
      `Once upon a time, there was a little ${kind} named ${name}. ${pronoun} had a ${adjective} ${object}. ` +
      `One day, ${name} went to the ${place} with ${possessive} ${companion}.`;
    return { prompt, context: { elements: [name, object, place, companion] } };
  },

  oracle(context: StoryContext, response: string): number {
    const ws = words(response);
    const coverage = context.elements.filter((e) => mentions(ws, e)).length / context.elements.length;
    const trigrams = ws.slice(2).map((_, i) => `${ws[i]} ${ws[i + 1]} ${ws[i + 2]}`);
    const repetition = trigrams.length ? 1 - new Set(trigrams).size / trigrams.length : 0;
    const shortness = Math.max(0, 1 - ws.length / MIN_WORDS);
    return coverage - repetition - shortness;
  },
};
