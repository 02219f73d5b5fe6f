// Net-position accounting on the average-cost method: what a fill does to a position (add, reduce, close,
// flip), realized and unrealized PnL, cash flows, exposure, leverage and an isolated-margin liquidation estimate.
// Pure: no I/O, no clock. Every record holds decimal strings, so it is plain JSON.
//
// Exactness. The cost basis of the open quantity, `entryCost`, is kept exactly (sums of quantity × price, and
// subtractions of quantity × average: no division). The average entry price is entryCost / quantity, computed
// only when quantity is added (a close never changes it) and rounded half-even at the decimal type's 30
// places. A closing part that leaves quantity open realizes exactly (exit - average) × quantity × sign and
// takes exactly quantity × average out of the basis; the part that brings the position to zero realizes
// exactly sign × (quantity × exit - entryCost), i.e. it takes the whole remaining basis. So:
//   - a flat position carries no basis; the realized PnL of a complete round trip is exactly the cash it made
//     (proceeds - costs, before fees), whatever the rounding of its averages;
//   - unrealizedPnl is sign × (quantity × mark - entryCost), exact, and cash + positionValue ==
//     start + realized + unrealized - fees holds exactly for any mark;
//   - when the average terminates within 30 places (every case where prices and quantities do not force a
//     repeating quotient) entryCost == quantity × average, and all of the above equals the textbook
//     (mark - average) × quantity × sign. When the average was rounded, the two differ by less than
//     quantity × 0.5e-30, and that residual is realized by the final close.
import { decimal, ZERO, type Decimal, type DecimalString } from './decimal.ts';
import type { OrderSide } from './order-request.ts';

export type PositionDirection = 'long' | 'short';

export interface NetPosition {
  readonly direction: PositionDirection | 'flat';
  /** Absolute size; '0' exactly when flat. */
  readonly quantity: DecimalString;
  /**
   * entryCost / quantity, rounded half-even at 30 places; recomputed when quantity is added, unchanged by a
   * partial close; undefined when flat.
   */
  readonly averageEntryPrice?: DecimalString;
  /** Exact cost basis of the open quantity (quote currency, unsigned); '0' when flat. See the file header. */
  readonly entryCost: DecimalString;
  /** Gross of fees: sum over closing parts of (exit - entry) × quantity × (+1 long, -1 short). */
  readonly realizedPnl: DecimalString;
  /** All fees paid on the fill parts applied to this position, in quote currency. */
  readonly fees: DecimalString;
  /** Total quantity ever added (entries and scale-ins). */
  readonly openedQuantity: DecimalString;
  /** Total quantity ever closed. */
  readonly closedQuantity: DecimalString;
}

export interface PositionFill {
  readonly side: OrderSide;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
}

export interface FillPart {
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
}

export interface PositionFillResult {
  /** This position after the fill: flat if it closed. A flip's remainder is NOT in it (see `opening`). */
  readonly position: NetPosition;
  /** The part that reduced or closed the position. */
  readonly closing?: FillPart & { readonly realizedPnl: DecimalString };
  /** The part that added to the position, or on a flip the excess that starts a new, opposite position. */
  readonly opening?: FillPart;
  /** True when the fill was larger than the position: `opening` belongs to a new position (positionFromOpening). */
  readonly flipped: boolean;
  /** True when this fill brought the position to zero. */
  readonly closed: boolean;
}

export class PositionAccountingError extends Error {
  override name = 'PositionAccountingError';
}

function fail(message: string): never {
  throw new PositionAccountingError(message);
}

/** Parses a decimal, naming the field when the text is not one. */
function parse(field: string, value: DecimalString): Decimal {
  try {
    return decimal(value);
  } catch {
    return fail(`${field} must be a decimal string, got ${JSON.stringify(value)}`);
  }
}

function positive(field: string, value: DecimalString): Decimal {
  const parsed = parse(field, value);
  if (!parsed.gt(ZERO)) fail(`${field} must be positive, got ${value}`);
  return parsed;
}

function nonNegative(field: string, value: DecimalString): Decimal {
  const parsed = parse(field, value);
  if (parsed.lt(ZERO)) fail(`${field} must not be negative, got ${value}`);
  return parsed;
}

/** Canonical string; a zero of either sign is '0', so `quantity === '0'` is a safe flat test. */
function str(value: Decimal): DecimalString {
  return value.eq(ZERO) ? '0' : value.toFixed();
}

function signOf(direction: PositionDirection): Decimal {
  return decimal(direction === 'long' ? '1' : '-1');
}

function directionOfSide(side: OrderSide): PositionDirection {
  return side === 'buy' ? 'long' : 'short';
}

interface ParsedFill {
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
}

function parseFill(fill: PositionFill): ParsedFill {
  if (fill.side !== 'buy' && fill.side !== 'sell') fail(`fill side must be "buy" or "sell", got ${JSON.stringify(fill.side)}`);
  return {
    side: fill.side,
    quantity: positive('fill quantity', fill.quantity),
    price: positive('fill price', fill.price),
    fee: nonNegative('fill fee', fill.fee),
  };
}

/** The open quantity, checked: never negative, and a non-zero quantity has a direction. */
function openQuantity(position: NetPosition): Decimal {
  const quantity = nonNegative('position quantity', position.quantity);
  if (quantity.gt(ZERO) && position.direction !== 'long' && position.direction !== 'short') {
    fail(`a position with quantity ${position.quantity} must be long or short, got ${JSON.stringify(position.direction)}`);
  }
  return quantity;
}

export function flatPosition(): NetPosition {
  return {
    direction: 'flat',
    quantity: '0',
    averageEntryPrice: undefined,
    entryCost: '0',
    realizedPnl: '0',
    fees: '0',
    openedQuantity: '0',
    closedQuantity: '0',
  };
}

/**
 * What one fill does to a position. A fill in the position's direction (or any fill on a flat position — a
 * position whose quantity is '0' counts as flat whatever its direction says) adds; a fill against it reduces;
 * a fill larger than the position closes it and its excess, with the pro-rata share of the fee, is returned
 * as `opening` for positionFromOpening. Cumulative fields (realized PnL, fees, opened and closed quantities)
 * carry over when a flat position is opened again.
 */
export function applyPositionFill(position: NetPosition, fill: PositionFill): PositionFillResult {
  // One fill is asked about up to three times in a row on the same (immutable) position: by the book (does it
  // flip?), the chart's guard (does it close?) and its action. The answer is remembered for the last pair.
  const last = lastApplied;
  if (last !== undefined && last.position === position && last.side === fill.side && last.quantity === fill.quantity && last.price === fill.price && last.fee === fill.fee) {
    return last.result;
  }
  const result = computePositionFill(position, fill);
  lastApplied = { position, side: fill.side, quantity: fill.quantity, price: fill.price, fee: fill.fee, result };
  return result;
}

let lastApplied: { readonly position: NetPosition; readonly side: string; readonly quantity: DecimalString; readonly price: DecimalString; readonly fee: DecimalString; readonly result: PositionFillResult } | undefined;

function computePositionFill(position: NetPosition, fill: PositionFill): PositionFillResult {
  const parsed = parseFill(fill);
  const held = openQuantity(position);
  const fillDirection = directionOfSide(parsed.side);
  const part: FillPart = { quantity: str(parsed.quantity), price: str(parsed.price), fee: str(parsed.fee) };

  if (held.eq(ZERO) || position.direction === fillDirection) {
    return { position: addToPosition(position, held, fillDirection, parsed), opening: part, flipped: false, closed: false };
  }

  const direction = position.direction as PositionDirection;
  const sign = signOf(direction);
  const entryCost = parse('position entryCost', position.entryCost);
  const comparison = parsed.quantity.cmp(held);

  if (comparison < 0) {
    // Partial close: exact given the average, which stays as it is.
    const average = positive('position averageEntryPrice', position.averageEntryPrice ?? '');
    const realized = parsed.price.minus(average).times(parsed.quantity).times(sign);
    const next: NetPosition = {
      direction,
      quantity: str(held.minus(parsed.quantity)),
      averageEntryPrice: position.averageEntryPrice,
      entryCost: str(entryCost.minus(parsed.quantity.times(average))),
      realizedPnl: str(parse('position realizedPnl', position.realizedPnl).plus(realized)),
      fees: str(parse('position fees', position.fees).plus(parsed.fee)),
      openedQuantity: position.openedQuantity,
      closedQuantity: str(parse('position closedQuantity', position.closedQuantity).plus(parsed.quantity)),
    };
    return { position: next, closing: { ...part, realizedPnl: str(realized) }, flipped: false, closed: false };
  }

  // The position closes: the closing part is all of it and takes the whole remaining basis.
  const flipped = comparison > 0;
  const closingFee = flipped ? decimal(splitFee(part.fee, str(held), part.quantity)) : parsed.fee;
  const realized = held.times(parsed.price).minus(entryCost).times(sign);
  const closedPosition: NetPosition = {
    direction: 'flat',
    quantity: '0',
    averageEntryPrice: undefined,
    entryCost: '0',
    realizedPnl: str(parse('position realizedPnl', position.realizedPnl).plus(realized)),
    fees: str(parse('position fees', position.fees).plus(closingFee)),
    openedQuantity: position.openedQuantity,
    closedQuantity: str(parse('position closedQuantity', position.closedQuantity).plus(held)),
  };
  const closing = { quantity: str(held), price: part.price, fee: str(closingFee), realizedPnl: str(realized) };
  if (!flipped) return { position: closedPosition, closing, flipped: false, closed: true };
  const opening: FillPart = {
    quantity: str(parsed.quantity.minus(held)),
    price: part.price,
    fee: str(parsed.fee.minus(closingFee)),
  };
  return { position: closedPosition, closing, opening, flipped: true, closed: true };
}

function addToPosition(position: NetPosition, held: Decimal, direction: PositionDirection, fill: ParsedFill): NetPosition {
  const quantity = held.plus(fill.quantity);
  const cost = fill.quantity.times(fill.price);
  // From flat the average is the fill price itself; otherwise the exact basis over the new quantity.
  const entryCost = held.eq(ZERO) ? cost : parse('position entryCost', position.entryCost).plus(cost);
  const averageEntryPrice = held.eq(ZERO) ? str(fill.price) : str(entryCost.div(quantity));
  return {
    direction,
    quantity: str(quantity),
    averageEntryPrice,
    entryCost: str(entryCost),
    realizedPnl: str(parse('position realizedPnl', position.realizedPnl)),
    fees: str(parse('position fees', position.fees).plus(fill.fee)),
    openedQuantity: str(parse('position openedQuantity', position.openedQuantity).plus(fill.quantity)),
    closedQuantity: str(parse('position closedQuantity', position.closedQuantity)),
  };
}

/** The new position a flip starts: the `opening` part of a flipped fill, in the fill's direction. */
export function positionFromOpening(direction: PositionDirection, part: FillPart): NetPosition {
  if (direction !== 'long' && direction !== 'short') fail(`direction must be "long" or "short", got ${JSON.stringify(direction)}`);
  const side: OrderSide = direction === 'long' ? 'buy' : 'sell';
  return addToPosition(flatPosition(), ZERO, direction, parseFill({ side, quantity: part.quantity, price: part.price, fee: part.fee }));
}

/**
 * sign × (quantity × mark - entryCost): exact, and equal to (mark - average) × quantity × sign whenever the
 * average is exact (see the file header). '0' when flat.
 */
export function unrealizedPnl(position: NetPosition, markPrice: DecimalString): DecimalString {
  const mark = positive('mark price', markPrice);
  const quantity = openQuantity(position);
  if (quantity.eq(ZERO)) return '0';
  const entryCost = parse('position entryCost', position.entryCost);
  return str(quantity.times(mark).minus(entryCost).times(signOf(position.direction as PositionDirection)));
}

/** Signed market value: +quantity × mark when long, -quantity × mark when short, '0' when flat. */
export function positionValue(position: NetPosition, markPrice: DecimalString): DecimalString {
  const mark = positive('mark price', markPrice);
  const quantity = openQuantity(position);
  if (quantity.eq(ZERO)) return '0';
  return str(quantity.times(mark).times(signOf(position.direction as PositionDirection)));
}

/** Absolute notional: quantity × mark. */
export function notionalExposure(position: NetPosition, markPrice: DecimalString): DecimalString {
  const mark = positive('mark price', markPrice);
  return str(openQuantity(position).times(mark));
}

/**
 * Isolated-margin liquidation price estimate, not rounded to the tick:
 *   long:  entry × (1 - 1/leverage + mmr)
 *   short: entry × (1 + 1/leverage - mmr)
 * Derivation: the margin posted is entry × q / leverage; the venue liquidates when margin + unrealized PnL
 * falls to the maintenance margin, taken here as mmr × entry × q (on the entry notional). For a long,
 * entry·q/L + q(P - entry) = mmr·entry·q gives P = entry(1 - 1/L + mmr); a short mirrors it. Fees, funding,
 * maintenance tiers and the venue's mark-price notional are ignored: venues' own figures differ slightly.
 * When mmr >= 1/leverage a long's estimate is at or above the entry (a short's at or below): the position
 * would be liquidatable at once. Requires entry > 0, leverage >= 1 and 0 <= mmr < 1. The single division
 * (entry / leverage) is rounded half-even at 30 places.
 */
export function liquidationPrice(input: {
  direction: PositionDirection;
  entryPrice: DecimalString;
  leverage: DecimalString;
  maintenanceMarginRate: DecimalString;
}): DecimalString {
  if (input.direction !== 'long' && input.direction !== 'short') {
    fail(`direction must be "long" or "short", got ${JSON.stringify(input.direction)}`);
  }
  const entry = positive('entry price', input.entryPrice);
  const leverage = parse('leverage', input.leverage);
  if (leverage.lt('1')) fail(`leverage must be at least 1, got ${input.leverage}`);
  const rate = nonNegative('maintenance margin rate', input.maintenanceMarginRate);
  if (!rate.lt('1')) fail(`maintenance margin rate must be below 1, got ${input.maintenanceMarginRate}`);
  const marginPerUnit = entry.div(leverage);
  return input.direction === 'long'
    ? str(entry.times(decimal('1').plus(rate)).minus(marginPerUnit))
    : str(entry.times(decimal('1').minus(rate)).plus(marginPerUnit));
}

/** exposure / equity (rounded half-even at 30 places). Equity must be positive, exposure not negative. */
export function leverageOf(input: { exposure: DecimalString; equity: DecimalString }): DecimalString {
  const exposure = nonNegative('exposure', input.exposure);
  const equity = parse('equity', input.equity);
  if (!equity.gt(ZERO)) fail(`leverage is undefined when equity is not positive, got equity ${input.equity}`);
  return str(exposure.div(equity));
}

/**
 * The share of `fee` that belongs to `part` of `whole`: fee × part / whole, rounded half-even at 30 places.
 * Give the other share the remainder (fee - this), never a second division, so the two add back exactly.
 * Requires whole > 0 and 0 <= part <= whole.
 */
export function splitFee(fee: DecimalString, part: DecimalString, whole: DecimalString): DecimalString {
  const total = parse('fee', fee);
  const wholeQuantity = positive('whole quantity', whole);
  const partQuantity = nonNegative('part quantity', part);
  if (partQuantity.gt(wholeQuantity)) fail(`part quantity ${part} exceeds the whole ${whole}`);
  if (partQuantity.eq(wholeQuantity)) return str(total);
  return str(total.times(partQuantity).div(wholeQuantity));
}
