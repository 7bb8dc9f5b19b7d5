// A prompt built from several fields of a row, e.g. Alpaca's "{instruction}\n\n{input}". Placeholders
// are field paths in braces ("{input}", "{meta.question}"); "{{" and "}}" are literal braces. A template
// line whose every placeholder is empty is left out, and the blank lines around it collapse into one,
// so "{instruction}\n\n{input}" with an empty input is just the instruction. A field that is missing
// (rather than empty) is a bad row naming it.
import { BadRowError, type RowLocation } from './bad-rows.js';
import { field } from './fields.js';

const PLACEHOLDER = /\{([^{}]+)\}/g;

/** The field paths a template reads. */
export function templateFields(template: string): string[] {
  return [...template.replace(/\{\{|\}\}/g, '').matchAll(PLACEHOLDER)].map((m) => m[1].trim());
}

export function renderPromptTemplate(template: string, row: unknown, at: RowLocation): string {
  const value = (path: string): string => {
    const v = field(row, path);
    if (v === undefined || v === null)
      throw new BadRowError(at, 'missing-field', path, 'missing (data.promptTemplate reads it)');
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new BadRowError(
        at,
        'missing-field',
        path,
        `expected text for data.promptTemplate, got ${JSON.stringify(v).slice(0, 60)}`,
      );
    return String(v).trim();
  };
  const kept: string[] = [];
  for (const line of template.split('\n')) {
    const names = templateFields(line);
    const values = names.map(value);
    if (names.length > 0 && values.every((v) => v === '')) continue;
    let i = 0;
    const text = line.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (m) => (m === '{{' ? '{' : m === '}}' ? '}' : values[i++]));
    // collapse blank runs
    if (text.trim() === '' && (kept.length === 0 || kept[kept.length - 1].trim() === '')) continue;
    kept.push(text);
  }
  while (kept.length && kept[kept.length - 1].trim() === '') kept.pop();
  return kept.join('\n');
}
