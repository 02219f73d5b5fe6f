// Margin arithmetic of linear perpetual futures (settled in quote): initial and order margin, the price at which
// a position's margin no longer covers its maintenance, funding payments and what a liquidation settles at.
// Pure, on exact decimals. The maintenance model is position-accounting.ts's liquidationPrice: maintenance margin
// = rate x entry notional (the exact cost basis), so with margin = basis / leverage both give the same price.
import { ONE, ZERO, type Decimal } from './decimal.ts';
import type { PositionDirection } from './position-accounting.ts';

/** The smallest step of the decimal type's divisions (30 places): a rounded quotient is off by less than this. */
const DIVISION_STEP: Decimal = ONE.div('1000000000000000000000000000000');

export class MarginArithmeticError extends Error {
  override name = 'MarginArithmeticError';
}

/** +1 for long, -1 for short. */
export function directionSign(direction: PositionDirection): Decimal {
  return direction === 'long' ? ONE : ONE.neg();
}

/** Margin a position of this notional takes at this leverage: notional / leverage (leverage >= 1). */
export function initialMargin(notional: Decimal, leverage: Decimal): Decimal {
  if (leverage.lt(ONE)) throw new MarginArithmeticError(`leverage must be at least 1, got ${leverage.toFixed()}`);
  return notional.div(leverage);
}

/**
 * What an order that may open `quantity` at up to `price` holds: its initial margin plus the fee at
 * `feeRate`, so that no fill of it can need more than was held.
 */
export function orderMargin(quantity: Decimal, price: Decimal, leverage: Decimal, feeRate: Decimal): Decimal {
  return notionalMargin(quantity.times(price), leverage, feeRate);
}

/** The same for an order whose cost is known as a notional (a market order walking the book): notional x (1 / leverage + fee rate). */
export function notionalMargin(notional: Decimal, leverage: Decimal, feeRate: Decimal): Decimal {
  return initialMargin(notional, leverage).plus(notional.times(feeRate));
}

/** Maintenance margin of an open position: rate x its exact entry notional (cost basis). */
export function maintenanceMargin(entryCost: Decimal, maintenanceMarginRate: Decimal): Decimal {
  return entryCost.times(maintenanceMarginRate);
}

/** sign x (quantity x mark - entryCost): exact. */
export function unrealizedProfit(direction: PositionDirection, quantity: Decimal, entryCost: Decimal, mark: Decimal): Decimal {
  const value = quantity.times(mark).minus(entryCost);
  return direction === 'long' ? value : value.neg();
}

/** True when margin + unrealized PnL at `mark` is at or below the maintenance margin: the position is liquidated. */
export function isBelowMaintenance(input: {
  readonly direction: PositionDirection;
  readonly quantity: Decimal;
  readonly entryCost: Decimal;
  /** The margin backing the position: its isolated margin, or for cross margin what the rest of the account leaves it. */
  readonly margin: Decimal;
  readonly maintenanceMarginRate: Decimal;
  readonly mark: Decimal;
}): boolean {
  const equity = input.margin.plus(unrealizedProfit(input.direction, input.quantity, input.entryCost, input.mark));
  return equity.lte(maintenanceMargin(input.entryCost, input.maintenanceMarginRate));
}

/**
 * The mark at which `isBelowMaintenance` turns true, solved from margin + sign(qM - C) = mmr x C:
 *   long:  M = (C(1 + mmr) - margin) / q   (liquidated at or below)
 *   short: M = (C(1 - mmr) + margin) / q   (liquidated at or above)
 * With margin = C / leverage this is position-accounting's liquidationPrice(entry = C / q). For cross margin,
 * pass as `margin` the account's equity outside this position minus the other positions' maintenance: the
 * same equation then gives the price of this symbol that liquidates the account, other marks held.
 * The one division is rounded at 30 places; `conservative` moves the answer by one step toward the position's
 * side (up for a long, down for a short), so a mark beyond it is certainly safe: use it as a filter.
 * May be zero or negative for a long that cannot be liquidated by any positive price.
 */
export function marginLiquidationPrice(input: {
  readonly direction: PositionDirection;
  readonly quantity: Decimal;
  readonly entryCost: Decimal;
  readonly margin: Decimal;
  readonly maintenanceMarginRate: Decimal;
}): { readonly price: Decimal; readonly conservative: Decimal } {
  if (!input.quantity.gt(ZERO)) throw new MarginArithmeticError('a liquidation price needs an open quantity');
  const maintenance = maintenanceMargin(input.entryCost, input.maintenanceMarginRate);
  if (input.direction === 'long') {
    const price = input.entryCost.plus(maintenance).minus(input.margin).div(input.quantity);
    return { price, conservative: price.plus(DIVISION_STEP) };
  }
  const price = input.entryCost.minus(maintenance).plus(input.margin).div(input.quantity);
  return { price, conservative: price.minus(DIVISION_STEP) };
}

/**
 * Funding one position pays or receives at a funding time: -(sign x quantity x mark x rate). A positive rate
 * means longs pay shorts. Positive result: received; negative: paid.
 */
export function fundingPayment(direction: PositionDirection, quantity: Decimal, mark: Decimal, rate: Decimal): Decimal {
  const longPays = quantity.times(mark).times(rate);
  return direction === 'long' ? longPays.neg() : longPays;
}

/** The price a liquidation closes at, and its fee. */
export interface LiquidationSettlement {
  readonly price: Decimal;
  readonly fee: Decimal;
}

/**
 * The whole position is closed at the mark that breached maintenance, with a fee of `feeRate` x notional.
 * Isolated margin bounds the loss: the account never loses more than the position's margin (the venue's
 * insurance fund takes the rest), so when the loss at the mark exceeds the margin the close is at the
 * bankruptcy price (margin + PnL = 0) with no fee, and otherwise the fee takes at most what the margin has left.
 * Cross margin (`isolatedMargin` undefined) closes at the mark with the full fee.
 */
export function liquidationSettlement(input: {
  readonly direction: PositionDirection;
  readonly quantity: Decimal;
  readonly entryCost: Decimal;
  readonly isolatedMargin: Decimal | undefined;
  readonly mark: Decimal;
  readonly feeRate: Decimal;
}): LiquidationSettlement {
  const fullFee = input.quantity.times(input.mark).times(input.feeRate);
  if (input.isolatedMargin === undefined) return { price: input.mark, fee: fullFee };
  const left = input.isolatedMargin.plus(unrealizedProfit(input.direction, input.quantity, input.entryCost, input.mark));
  if (left.lt(ZERO)) {
    // Bankruptcy: long (C - margin) / q, short (C + margin) / q.
    const signedMargin = input.direction === 'long' ? input.isolatedMargin.neg() : input.isolatedMargin;
    return { price: input.entryCost.plus(signedMargin).div(input.quantity), fee: ZERO };
  }
  return { price: input.mark, fee: fullFee.lt(left) ? fullFee : left };
}

/** The first funding time strictly after `time` on a grid of `intervalMs` from the epoch (00:00, 08:00, 16:00 UTC for 8 h). */
export function nextFundingTime(time: number, intervalMs: number): number {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) throw new MarginArithmeticError(`funding interval must be a positive whole number of milliseconds, got ${intervalMs}`);
  return (Math.floor(time / intervalMs) + 1) * intervalMs;
}
