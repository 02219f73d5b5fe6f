// Amending a running algo: what a new quantity or limit would do, refused with the reason when it cannot be
// honoured (a quantity below what already filled, off the lot, a limit off the tick).
import { decimal, type DecimalString } from './decimal.ts';
import { workingQuantity, type ChildLedger } from './algo-children.ts';
import { smallestSlice, type SliceGrid } from './algo-sizing.ts';

export interface AlgoAmendment {
  readonly quantity?: DecimalString;
  readonly limitPrice?: DecimalString;
}

/** Why the amendment cannot be applied, or undefined when it can. */
export function amendmentIssue(amendment: AlgoAmendment, ledger: ChildLedger, grid: SliceGrid): string | undefined {
  if (amendment.quantity === undefined && amendment.limitPrice === undefined) return 'an amendment needs a quantity or a limitPrice';
  if (amendment.quantity !== undefined) {
    const quantity = decimal(amendment.quantity);
    if (!quantity.gt('0') || !quantity.mod(grid.lotSize).eq('0')) return `quantity must be a positive multiple of ${grid.lotSize}, got ${amendment.quantity}`;
    if (quantity.lt(ledger.filledQuantity)) return `quantity ${amendment.quantity} is below what already filled (${ledger.filledQuantity})`;
    if (quantity.lt(smallestSlice(grid)) ) return `quantity ${amendment.quantity} is below the minimum ${smallestSlice(grid).toFixed()}`;
  }
  if (amendment.limitPrice !== undefined) {
    const price = decimal(amendment.limitPrice);
    if (!price.gt('0') || !price.mod(grid.tickSize).eq('0')) return `limitPrice must be a positive multiple of the tick size ${grid.tickSize}, got ${amendment.limitPrice}`;
  }
  return undefined;
}

/**
 * A lower quantity than filled + working cannot take effect at once: the working children could still fill it.
 * They are canceled, and the new quantity applies once none is outstanding (never below what filled).
 */
export function needsChildrenSettled(quantity: DecimalString, ledger: ChildLedger): boolean {
  return decimal(quantity).lt(decimal(ledger.filledQuantity).plus(workingQuantity(ledger)));
}
