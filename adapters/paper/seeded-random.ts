// A seeded random source whose position can be saved and resumed, so a restored paper venue draws what the saved one would have.
import { mulberry32, type RandomSource } from '../market-data/synthetic.ts';

/** mulberry32's state advances by this constant per draw, so the state after n draws is seed + n x this (mod 2^32). */
const MULBERRY32_INCREMENT = 0x6d2b79f5;

export class ResumableRandom {
  private source: RandomSource;

  /** `draws`: how many numbers were drawn before (a saved position); the next one is the same as it would have been. */
  constructor(readonly seed: number, private drawCount = 0) {
    if (!Number.isSafeInteger(seed)) throw new Error(`a random seed must be a whole number, got ${seed}`);
    if (!Number.isSafeInteger(drawCount) || drawCount < 0) throw new Error(`a saved random position must be a whole number of draws, got ${drawCount}`);
    this.source = mulberry32((seed + Math.imul(drawCount, MULBERRY32_INCREMENT)) >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.drawCount++;
    return this.source();
  }

  get draws(): number {
    return this.drawCount;
  }
}
