// Test helpers for the risk suites: decimal shorthands, grids, and fast-check generators of exact decimals.
import fc from 'fast-check';
import { decimal, type Decimal } from '../../src/domain/decimal.ts';

export const d = (text: string): Decimal => decimal(text);

/** A tick of 0.01 and a lot of 0.001 (instrument.ts's createInstrument is not used: see the report). */
export const grid = { tickSize: d('0.01'), lotSize: d('0.001'), minQuantity: d('0.001'), minNotional: d('5') };

/** A decimal `units` × 10^-places with units drawn from [min, max]. */
export function decimalArbitrary(minUnits: number, maxUnits: number, places: number): fc.Arbitrary<Decimal> {
  return fc.integer({ min: minUnits, max: maxUnits }).map((units) => decimal(units).div(decimal(10).pow(places)));
}

/** One of a few realistic steps: 1, 0.5, 0.1, 0.05, 0.01, 0.001, 0.00001. */
export const stepArbitrary: fc.Arbitrary<Decimal> = fc.constantFrom('1', '0.5', '0.1', '0.05', '0.01', '0.001', '0.00001').map(d);

export const sideArbitrary = fc.constantFrom('buy' as const, 'sell' as const);

/** A decimal in [0, 1] with up to 4 places. */
export const unitArbitrary = decimalArbitrary(0, 10_000, 4);
