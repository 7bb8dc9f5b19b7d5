// JSON text that does not parse, located: "<file>:<line>:<column>: <what>", as an editor shows it.
// JSON.parse gives a character offset at best (Node 20 often gives none), so the offset of the first
// error comes from jsonc-parser's scanner, in strict JSON mode (no comments, no trailing commas).
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

const WHAT: Record<string, string> = {
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  CommaExpected: 'a comma was expected',
  ColonExpected: 'a colon was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'the text goes on after the JSON value ends',
  InvalidSymbol: 'this is not a JSON value (strings need double quotes; true, false and null are lower case)',
  InvalidCommentToken: 'JSON has no comments',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfComment: 'a comment is not closed',
  InvalidUnicode: 'a \\u escape is not valid',
  InvalidEscapeCharacter: 'a backslash escape is not valid',
  InvalidCharacter: 'a character is not allowed here (a raw line break or tab inside a string?)',
};

/** Where in `text` it first stops being JSON: 1-based line and column, and what is wrong there. */
export function jsonSyntaxError(text: string): { line: number; column: number; what: string } | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length === 0) return undefined;
  const { offset, error } = errors[0];
  const before = text.slice(0, offset).split('\n');
  const code = printParseErrorCode(error);
  return { line: before.length, column: before[before.length - 1].length + 1, what: WHAT[code] ?? code };
}

/** JSON.parse, or an error "<source>:<line>:<column>: not valid JSON: <what>" (then `advice`). */
export function parseJsonText<T = unknown>(text: string, source: string, advice?: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const at = jsonSyntaxError(text);
    const where = at
      ? `${source}:${at.line}:${at.column}: not valid JSON: ${at.what}`
      : `${source}: not valid JSON (${(error as Error).message})`;
    throw new Error(advice ? `${where}; ${advice}` : where, { cause: error });
  }
}
