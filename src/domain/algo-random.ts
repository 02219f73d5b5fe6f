// A seeded random generator for algo size randomisation: its state is a number kept in the algo's context,
// so a restored algo draws the same sequence and the chart stays pure (no Math.random).
import { decimal, type Decimal } from './decimal.ts';

export interface RandomDraw {
  /** Uniform in [0, 1), with 16 binary digits: exact as a decimal. */
  readonly fraction: Decimal;
  readonly state: number;
}

/** mulberry32: one 32-bit state, integer arithmetic only. */
export function drawRandom(state: number): RandomDraw {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = (t ^ (t >>> 14)) >>> 0;
  return { fraction: decimal(value >>> 16).div('65536'), state: next };
}

/** A draw in [-1, 1): the factor a randomised size is spread by. */
export function drawSigned(state: number): { readonly value: Decimal; readonly state: number } {
  const draw = drawRandom(state);
  return { value: draw.fraction.times('2').minus('1'), state: draw.state };
}
