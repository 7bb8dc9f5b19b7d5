// TL;DR comparisons from "Learning to summarize from human feedback" (Stiennon et al., 2020): one JSON
// object per line with the post in info (Reddit: post, title, subreddit; CNN/DM: article, title),
// two summaries and `choice`, the index of the preferred one. The prompt is the paper's format.
import { BadRowError } from './bad-rows.js';
import { arrayField, field, numberField, stringField } from './fields.js';
import type { RowParser } from './source-row.js';

export const parseTldrRow: RowParser = (row, { at }) => {
  const summaries = arrayField(row, 'summaries', at);
  if (summaries.length !== 2)
    throw new BadRowError(at, 'missing-field', 'summaries', `expected 2 summaries, got ${summaries.length}`);
  const texts = summaries.map((_, i) => stringField(row, `summaries.${i}.text`, at).trim());
  const choice = numberField(row, 'choice', at);
  if (choice !== 0 && choice !== 1)
    throw new BadRowError(at, 'missing-field', 'choice', `expected 0 or 1, got ${choice}`);
  const title = stringField(row, 'info.title', at).trim();
  const prompt =
    typeof field(row, 'info.article') === 'string'
      ? `TITLE: ${title}\nARTICLE: ${stringField(row, 'info.article', at).trim()}\nTL;DR:`
      : `SUBREDDIT: r/${stringField(row, 'info.subreddit', at).replace(/^r\//, '')}\n` +
        `TITLE: ${title}\nPOST: ${stringField(row, 'info.post', at).trim()}\nTL;DR:`;
  const split = field(row, 'split');
  return {
    prompt,
    responses: [texts[choice], texts[1 - choice]],
    split: typeof split === 'string' ? split : undefined,
  };
};
