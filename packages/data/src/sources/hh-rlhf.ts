// HH-RLHF (Bai et al., 2022): {"chosen", "rejected"}, each the whole dialogue. The prompt is the text up
// to and including the last "\n\nAssistant:"; the responses are what follows it. Rows whose two prefixes
// differ are refused as prompt-mismatch (they are not a comparison of two answers to one prompt).
import { BadRowError } from './bad-rows.js';
import { stringField } from './fields.js';
import type { RowParser } from './source-row.js';

const LAST_TURN = '\n\nAssistant:';

export const parseHhRlhfRow: RowParser = (row, { at, fields }) => {
  const [chosen, rejected] = [fields.chosen, fields.rejected].map((name) => {
    const dialogue = stringField(row, name, at);
    const cut = dialogue.lastIndexOf(LAST_TURN);
    if (cut < 0)
      throw new BadRowError(
        at,
        'missing-field',
        name,
        'has no "\\n\\nAssistant:" turn to split the prompt from the response',
      );
    return {
      prompt: dialogue.slice(0, cut + LAST_TURN.length),
      response: dialogue.slice(cut + LAST_TURN.length).trim(),
    };
  });
  if (chosen.prompt !== rejected.prompt)
    throw new BadRowError(
      at,
      'prompt-mismatch',
      fields.rejected,
      'the dialogue before the last assistant turn differs from the chosen one',
    );
  return { prompt: chosen.prompt, responses: [chosen.response, rejected.response] };
};
