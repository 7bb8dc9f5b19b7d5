// Reading typed fields out of a raw row, with errors that name the file, line and field.
import { BadRowError, type RowLocation } from './bad-rows.js';
import type { ChatMessage } from '../hf-tokenizer.js';

/**
 * A dotted path into a row: keys of nested objects and indices of arrays ("info.post",
 * "summaries.0.text", "response.0"). A key that itself contains dots (a CSV column "a.b") is found as it is.
 */
export function field(row: unknown, path: string): unknown {
  if (row !== null && typeof row === 'object' && Object.hasOwn(row, path))
    return (row as Record<string, unknown>)[path];
  let value = row;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const missing = (at: RowLocation, path: string, expected: string, value: unknown) =>
  new BadRowError(
    at,
    'missing-field',
    path,
    value === undefined
      ? `missing (expected ${expected})`
      : `expected ${expected}, got ${JSON.stringify(value).slice(0, 60)}`,
  );

export function stringField(row: unknown, path: string, at: RowLocation): string {
  const value = field(row, path);
  if (typeof value !== 'string') throw missing(at, path, 'a string', value);
  return value;
}

export function numberField(row: unknown, path: string, at: RowLocation): number {
  const value = field(row, path);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw missing(at, path, 'a number', value);
  return value;
}

export function arrayField(row: unknown, path: string, at: RowLocation): unknown[] {
  const value = field(row, path);
  if (!Array.isArray(value)) throw missing(at, path, 'an array', value);
  return value;
}

const ROLES: Record<string, ChatMessage['role']> = {
  system: 'system',
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  gpt: 'assistant',
  bot: 'assistant',
  model: 'assistant',
};

/**
 * A text or a conversation: a string, one message, or a list of messages, each {role, content}
 * (OpenAI / Hugging Face chat) or {from, value} (ShareGPT).
 */
export function messagesField(row: unknown, path: string, at: RowLocation): string | ChatMessage[] {
  const value = field(row, path);
  if (typeof value === 'string') return value;
  const list = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : undefined;
  if (!list) throw missing(at, path, 'a string or chat messages', value);
  return list.map((m, i) => {
    const role = ROLES[String((m as any)?.role ?? (m as any)?.from).toLowerCase()];
    const content = (m as any)?.content ?? (m as any)?.value;
    if (!role || typeof content !== 'string') {
      throw new BadRowError(
        at,
        'missing-field',
        `${path}.${i}`,
        `expected a chat message {role, content} or {from, value} with role one of ${Object.keys(ROLES).join(', ')}`,
      );
    }
    return { role, content };
  });
}
