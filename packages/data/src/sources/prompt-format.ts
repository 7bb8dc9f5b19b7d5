// Turning a conversation into the prompt text a causal LM continues. The default is HH-RLHF's own
// format ("\n\nHuman: ...\n\nAssistant:"), so chat data and HH-RLHF prompts read alike; "template" uses
// the tokenizer's chat template instead (a pretrained tokenizer with one).
import type { ChatMessage } from '../hf-tokenizer.js';

export type PromptRenderer = (messages: readonly ChatMessage[]) => string;

const HH_SPEAKER: Record<ChatMessage['role'], string> = { system: 'System', user: 'Human', assistant: 'Assistant' };

export const hhPrompt: PromptRenderer = (messages) =>
  messages.map((m) => `\n\n${HH_SPEAKER[m.role]}: ${m.content.trim()}`).join('') + '\n\nAssistant:';
