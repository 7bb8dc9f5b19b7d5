// The SFT term a method can add (`sftWeight`, TRL's rpo_alpha): the chosen responses' per-token NLL.
import { tf } from '@spo/engine';
import { chosenNll } from '@spo/losses';
import type { LossTerm, PreferenceForward, TermOutput } from './loss-term.js';

export class SftTerm implements LossTerm<void> {
  readonly name = 'sft';
  constructor(readonly weight: number) {}

  compute(f: PreferenceForward): TermOutput {
    const nll = tf.mean(chosenNll({ policyChosen: f.column(0), chosenLengths: f.lengths(0) })) as tf.Scalar;
    return { value: nll, metrics: { 'sft/nll': nll } };
  }
}
