// Fill arithmetic for one order: filled quantity, exact notional, average price and fees per currency.
import { decimal, ZERO, type Decimal, type DecimalString } from './decimal.ts';

export interface Fill {
  readonly tradeId: string;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
}

export interface FillTotals {
  readonly quantity: DecimalString;
  readonly filledQuantity: DecimalString;
  /** Sum of quantity × price over all fills, exact: the average price is derived from it. */
  readonly filledNotional: DecimalString;
  /** filledNotional / filledQuantity, rounded half-even at 30 decimal places; undefined before any fill. */
  readonly averagePrice?: DecimalString;
  readonly fees: Readonly<Record<string, DecimalString>>;
  readonly tradeIds: readonly string[];
}

export type FillOutcome = 'duplicate' | 'overfill' | 'invalid' | 'partial' | 'complete';

/** A fill's outcome, with the filled quantity it would leave (partial and complete fills), parsed once. */
export interface FillClassification {
  readonly outcome: FillOutcome;
  readonly filledAfter?: Decimal;
}

/** What a fill would do to an order, decided before anything changes. */
export function classifyFill(totals: FillTotals, fill: Fill): FillOutcome {
  return classifyFillDetailed(totals, fill).outcome;
}

const DUPLICATE: FillClassification = { outcome: 'duplicate' };
const INVALID: FillClassification = { outcome: 'invalid' };
const OVERFILL: FillClassification = { outcome: 'overfill' };

/** classifyFill, keeping the filled quantity it computed so applying the fill need not parse it again. */
export function classifyFillDetailed(totals: FillTotals, fill: Fill): FillClassification {
  if (totals.tradeIds.includes(fill.tradeId)) return DUPLICATE;
  const quantity = decimal(fill.quantity);
  if (!quantity.gt(ZERO) || !decimal(fill.price).gt(ZERO)) return INVALID;
  const filledAfter = decimal(totals.filledQuantity).plus(quantity);
  const comparison = filledAfter.cmp(decimal(totals.quantity));
  if (comparison > 0) return OVERFILL;
  return { outcome: comparison === 0 ? 'complete' : 'partial', filledAfter };
}

/**
 * Totals after one fill. The caller has classified it as partial or complete; `filledAfter` is the filled
 * quantity the classification computed, when the caller has it.
 */
export function applyFill(totals: FillTotals, fill: Fill, filledAfter?: Decimal): FillTotals {
  const filledQuantity = filledAfter ?? decimal(totals.filledQuantity).plus(fill.quantity);
  const filledNotional = decimal(totals.filledNotional).plus(decimal(fill.quantity).times(fill.price));
  const previousFee = totals.fees[fill.feeCurrency] ?? '0';
  return {
    quantity: totals.quantity,
    filledQuantity: filledQuantity.toFixed(),
    filledNotional: filledNotional.toFixed(),
    averagePrice: filledNotional.div(filledQuantity).toFixed(),
    fees: Object.assign({}, totals.fees, { [fill.feeCurrency]: decimal(previousFee).plus(fill.fee).toFixed() }),
    tradeIds: [...totals.tradeIds, fill.tradeId],
  };
}

export function remainingQuantity(totals: Pick<FillTotals, 'quantity' | 'filledQuantity'>): DecimalString {
  return decimal(totals.quantity).minus(totals.filledQuantity).toFixed();
}

export function emptyFillTotals(quantity: DecimalString): FillTotals {
  return { quantity, filledQuantity: '0', filledNotional: '0', fees: {}, tradeIds: [] };
}
