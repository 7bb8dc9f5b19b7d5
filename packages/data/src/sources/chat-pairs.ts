// Generic preference pairs: a prompt and a chosen and a rejected response, each a string or chat
// messages. Covers plain JSON/JSONL and CSV ({prompt, chosen, rejected}), Hugging Face / TRL
// conversational rows (chosen and rejected are whole conversations, the prompt is their shared
// beginning) and ShareGPT / LLaMA-Factory rows ({conversations, chosen, rejected}). With data.label the
// two responses come from two fields ordered by a verdict field; with data.promptTemplate the prompt is
// built from several fields.
import { BadRowError } from './bad-rows.js';
import { field, messagesField } from './fields.js';
import { orderByLabel } from './labels.js';
import { renderPromptTemplate } from './prompt-template.js';
import type { ChatMessage } from '../hf-tokenizer.js';
import type { RowContext, RowParser } from './source-row.js';

interface Side {
  context: ChatMessage[];
  response: string;
}

function side(row: unknown, name: string, ctx: RowContext): Side {
  const value = messagesField(row, name, ctx.at);
  if (typeof value === 'string') return { context: [], response: value.trim() };
  const last = value[value.length - 1];
  if (!last || last.role !== 'assistant')
    throw new BadRowError(
      ctx.at,
      'missing-field',
      name,
      'the conversation must end with an assistant message (the response)',
    );
  return { context: value.slice(0, -1), response: last.content.trim() };
}

export const parseChatPairRow: RowParser = (row, ctx) => {
  const { fields, at } = ctx;
  const [chosenField, rejectedField] = ctx.label ? orderByLabel(row, ctx.label, at) : [fields.chosen, fields.rejected];
  const chosen = side(row, chosenField, ctx);
  const rejected = side(row, rejectedField, ctx);
  let prompt: string;
  if (ctx.promptTemplate !== undefined) {
    prompt = renderPromptTemplate(ctx.promptTemplate, row, at);
  } else if (field(row, fields.prompt) !== undefined) {
    const given = messagesField(row, fields.prompt, at);
    prompt = typeof given === 'string' ? given : ctx.renderPrompt([...given, ...chosen.context]);
  } else {
    if (chosen.context.length === 0)
      throw new BadRowError(
        at,
        'missing-field',
        fields.prompt,
        'missing, and chosen is not a conversation to take the prompt from',
      );
    if (JSON.stringify(chosen.context) !== JSON.stringify(rejected.context))
      throw new BadRowError(
        at,
        'prompt-mismatch',
        rejectedField,
        'the conversation before the last assistant message differs from the chosen one',
      );
    prompt = ctx.renderPrompt(chosen.context);
  }
  return {
    prompt,
    responses: [chosen.response, rejected.response],
    ...(ctx.label ? { responseFields: [chosenField, rejectedField] } : {}),
  };
};
