// Judge prompt templates: the built-in ones in packages/evaluators/templates/, or any file with the
// placeholders {{prompt}}, {{answer_a}} and {{answer_b}}.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BUILT_IN_TEMPLATES = ['dialogue', 'summarization'] as const;
const PLACEHOLDERS = ['{{prompt}}', '{{answer_a}}', '{{answer_b}}'];

export interface JudgeTemplate {
  /** The built-in name or the file's path. */
  name: string;
  text: string;
}

export function loadJudgeTemplate(nameOrPath: string): JudgeTemplate {
  const builtIn = (BUILT_IN_TEMPLATES as readonly string[]).includes(nameOrPath);
  const path = builtIn ? fileURLToPath(new URL(`../../templates/${nameOrPath}.md`, import.meta.url)) : nameOrPath;
  if (!existsSync(path))
    throw new Error(
      `eval.judge.template: "${nameOrPath}" is neither a built-in template ` +
        `(${BUILT_IN_TEMPLATES.join(', ')}) nor a file`,
    );
  const text = readFileSync(path, 'utf8');
  const missing = PLACEHOLDERS.filter((p) => !text.includes(p));
  if (missing.length > 0) throw new Error(`${path}: a judge template needs the placeholders ${missing.join(', ')}`);
  return { name: nameOrPath, text };
}

/**
 * The template with the prompt and the two answers in the order given (single pass, so an answer containing "{{...}}"
 * stays as it is).
 */
export function fillTemplate(t: JudgeTemplate, prompt: string, answerA: string, answerB: string): string {
  const values: Record<string, string> = { prompt: prompt.trim(), answer_a: answerA.trim(), answer_b: answerB.trim() };
  return t.text.replace(/\{\{(prompt|answer_a|answer_b)\}\}/g, (_, key: string) => values[key]);
}
