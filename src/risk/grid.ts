// The tick and lot grids the risk functions round to: just the parts of an Instrument they need.
import { ZERO, isMultipleOf, roundToStep, type Decimal } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';

/** The price grid: any Instrument fits. */
export type TickGrid = Pick<Instrument, 'tickSize'>;

/** The quantity grid: any Instrument fits. */
export type LotGrid = Pick<Instrument, 'lotSize'>;

/** Rounds a quantity down (toward zero) to the lot: never more than was asked for. */
export function roundQuantityDown(grid: LotGrid, quantity: Decimal): Decimal {
  return roundToStep(quantity, grid.lotSize, 'down');
}

/** Throws unless `quantity` is a positive whole number of lots. */
export function requirePositiveLots(name: string, quantity: Decimal, grid: LotGrid): Decimal {
  if (!quantity.gt(ZERO) || !isMultipleOf(quantity, grid.lotSize)) {
    throw new Error(`${name} must be a positive multiple of the lot size ${grid.lotSize.toFixed()}, got ${quantity.toFixed()}`);
  }
  return quantity;
}
