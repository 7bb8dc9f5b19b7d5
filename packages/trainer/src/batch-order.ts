// Which examples a micro-batch holds is a pure function of (seed, step, micro-batch): one seeded
// permutation per epoch. A resumed run therefore sees exactly the batches the killed run would have.
import { Rng } from '@spo/engine';

export class BatchOrder {
  private readonly permutations = new Map<number, number[]>();

  constructor(
    private readonly datasetSize: number,
    private readonly batchSize: number,
    private readonly accumulation: number,
    private readonly seed: number | string,
  ) {
    if (datasetSize === 0) throw new Error('cannot train on an empty dataset');
  }

  private permutation(epoch: number): number[] {
    let p = this.permutations.get(epoch);
    if (!p) {
      p = new Rng(`${this.seed}/epoch/${epoch}`).shuffle(Array.from({ length: this.datasetSize }, (_, i) => i));
      this.permutations.clear(); // only the current epoch is ever needed again
      this.permutations.set(epoch, p);
    }
    return p;
  }

  indices(step: number, micro: number): number[] {
    const first = (step * this.accumulation + micro) * this.batchSize;
    return Array.from({ length: this.batchSize }, (_, j) => {
      const position = first + j;
      return this.permutation(Math.floor(position / this.datasetSize))[position % this.datasetSize];
    });
  }
}
