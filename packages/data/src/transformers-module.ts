// @huggingface/transformers, loaded on first use (so the synthetic default never pays for it) and
// offline: remote models off, so no hub is ever asked.
import { createRequire } from 'node:module';

const requireModule = createRequire(import.meta.url);
let transformers: typeof import('@huggingface/transformers') | undefined;

export function transformersModule(): typeof import('@huggingface/transformers') {
  if (!transformers) {
    transformers = requireModule('@huggingface/transformers') as typeof import('@huggingface/transformers');
    transformers.env.allowRemoteModels = false;
  }
  return transformers;
}
