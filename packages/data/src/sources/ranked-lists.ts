// Ranked lists: a prompt with several responses and either scores (higher is better, as UltraFeedback's
// ratings) or ranks (1 is best). Responses come out best first; ties keep the file's order.
import { BadRowError } from './bad-rows.js';
import { arrayField, field, messagesField } from './fields.js';
import type { RowParser } from './source-row.js';
import { renderPromptTemplate } from './prompt-template.js';

export const parseRankedListRow: RowParser = (row, ctx) => {
  const { fields, at } = ctx;
  const prompt =
    ctx.promptTemplate !== undefined
      ? renderPromptTemplate(ctx.promptTemplate, row, at)
      : messagesField(row, fields.prompt, at);
  const responses = arrayField(row, fields.responses, at).map((_, i) => {
    const r = messagesField(row, `${fields.responses}.${i}`, at);
    return typeof r === 'string'
      ? r.trim()
      : r
          .filter((m) => m.role === 'assistant')
          .map((m) => m.content.trim())
          .join('\n\n');
  });
  if (responses.length < 2)
    throw new BadRowError(
      at,
      'missing-field',
      fields.responses,
      `expected at least 2 responses, got ${responses.length}`,
    );
  const byScore = field(row, fields.scores) !== undefined;
  const key = byScore ? fields.scores : fields.ranks;
  if (!byScore && field(row, fields.ranks) === undefined)
    throw new BadRowError(
      at,
      'missing-field',
      `${fields.scores}" or "${fields.ranks}`,
      'missing: a ranked list needs scores (higher is better) or ranks (1 is best)',
    );
  const values = arrayField(row, key, at);
  if (values.length !== responses.length || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new BadRowError(at, 'missing-field', key, `expected ${responses.length} numbers, one per response`);
  }
  const order = responses
    .map((_, i) => i)
    .sort(
      (a, b) =>
        (byScore ? (values[b] as number) - (values[a] as number) : (values[a] as number) - (values[b] as number)) ||
        a - b,
    );
  return {
    prompt: typeof prompt === 'string' ? prompt : ctx.renderPrompt(prompt),
    responses: order.map((i) => responses[i]),
  };
};
