// Fitting prompts into the model's context: a prompt over budget is cut at a token boundary, keeping
// its end (the latest turns of a dialogue) or its start. Responses are never cut here.
import type { TextTokenizer } from './tokenizer.js';

export type TruncationSide = 'keep-end' | 'keep-start';

/** The prompt text within `maxTokens` tokens, and whether it had to be cut. */
export function truncatePrompt(
  tokenizer: TextTokenizer,
  prompt: string,
  maxTokens: number,
  side: TruncationSide,
): { text: string; tokens: number; cut: boolean } {
  const ids = tokenizer.encode(prompt);
  if (ids.length <= maxTokens) return { text: prompt, tokens: ids.length, cut: false };
  // Decoding a cut and encoding it again can merge differently at the cut; shrink until it fits.
  for (let keep = maxTokens; keep > 0; keep--) {
    const kept = side === 'keep-end' ? ids.slice(ids.length - keep) : ids.slice(0, keep);
    const text = tokenizer.decode(kept);
    const tokens = tokenizer.encode(text).length;
    if (tokens <= maxTokens) return { text, tokens, cut: true };
  }
  return { text: '', tokens: 0, cut: true };
}
