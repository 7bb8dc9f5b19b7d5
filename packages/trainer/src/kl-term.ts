// Soft Preference Optimization's KL regulariser as a loss term: the pool of the policy's own samples is
// drawn before the step (outside the tape), the estimate computed in it. See kl-regularizer.ts.
import type { LossTerm, PreferenceForward, TermOutput } from './loss-term.js';
import { KlRegularizer, type KlRegularizerArgs } from './kl-regularizer.js';

export class KlTerm implements LossTerm<void> {
  readonly name = 'kl';
  private readonly regularizer: KlRegularizer;

  constructor(
    readonly weight: number,
    args: KlRegularizerArgs,
  ) {
    this.regularizer = new KlRegularizer(args);
  }

  beforeStep(step: number): void {
    this.regularizer.prepare(step);
  }

  /** The reference moved (TR-DPO): the pool's reference log-probs are recomputed before the next step. */
  referenceChanged(): void {
    this.regularizer.dispose();
  }

  compute(f: PreferenceForward): TermOutput {
    const estimate = this.regularizer.term(f.step, (n) => f.countTokens(n));
    return { value: estimate, metrics: { 'kl/policy_ref': estimate } };
  }

  dispose(): void {
    this.regularizer.dispose();
  }
}
