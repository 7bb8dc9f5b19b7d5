// Words and punctuation of English text with their character offsets, so key content can be cut out
// of the original string (spacing, line breaks and untouched punctuation kept as they were).
// Pre-tokenised text ("alice likes tea .") and ordinary prose ("Alice likes tea.") both work.

export interface WordToken {
  text: string;
  start: number;
  end: number;
  /** A word (letters or digits) rather than a punctuation mark. */
  isWord: boolean;
  /** The whitespace between the previous token (or the start of the text) and this one. */
  gap: string;
}

// A word: letters/digits with inner apostrophes, hyphens or dots ("don't", "well-formed", "3.5").
// Anything else that is not whitespace is one punctuation token per character.
const TOKEN = /[\p{L}\p{N}]+(?:['’.\-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

export function wordTokens(text: string): WordToken[] {
  const tokens: WordToken[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index!;
    const end = start + m[0].length;
    tokens.push({ text: m[0], start, end, isWord: /^[\p{L}\p{N}]/u.test(m[0]), gap: text.slice(previousEnd, start) });
    previousEnd = end;
  }
  return tokens;
}

/** Word tokens that are not stop words: the content of a text. */
export function isContentWord(t: WordToken, stopwords: ReadonlySet<string>): boolean {
  return t.isWord && !stopwords.has(t.text.toLowerCase());
}
