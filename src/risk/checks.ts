// Pre-trade risk checks: pure functions that either pass an order (undefined) or deny it with a typed
// reason, the limit, the measured figure and a message that states both. The portfolio is the one gate
// that runs them (DESIGN.md: every order goes through the portfolio).
import { HUNDRED, ONE, ZERO, decimal, max, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { OrderSide } from '../domain/order-request.ts';
import { requireNonNegative, requirePositive } from './guards.ts';
import { countInWindow, requireRateLimit, type RateLimit } from './rate-limit.ts';

export type DenialReason =
  | 'tradingHalted'
  | 'reducingOnly'
  | 'quantityBelowMinimum'
  | 'quantityAboveMaximum'
  | 'notionalBelowMinimum'
  | 'notionalAboveMaximum'
  | 'priceDeviation'
  | 'insufficientBalance'
  | 'positionValueAboveLimit'
  | 'leverageAboveLimit'
  | 'tooManyOpenPositions'
  | 'reduceOnlyWouldIncrease'
  | 'submitRateExceeded'
  | 'amendRateExceeded'
  | 'dailyLossLimit'
  | 'maxDrawdown';

/**
 * Why an order, amendment or the portfolio was stopped. `limit` and `actual` are canonical decimal strings
 * in the limit's own unit (base quantity, quote notional, percent, leverage multiple, count):
 * - minimum limits: actual < limit; maximum limits: actual > limit (a figure AT its limit passes);
 * - insufficientBalance: limit = the free balance, actual = what the order needs;
 * - tradingHalted / reducingOnly / reduceOnlyWouldIncrease: limit = the quantity that could pass on this
 *   side (0 when halted), actual = the order's quantity;
 * - rates and open positions: actual = the count this order would make, limit = the count allowed;
 * - ratios (percent, leverage) that do not terminate are rounded UP at 8 decimal places, so a denied
 *   figure always reads above its limit; when equity is not positive a ratio has no value and actual
 *   is the quote-currency amount instead (the message says so).
 */
export interface Denial {
  readonly reason: DenialReason;
  readonly message: string;
  readonly limit: DecimalString;
  readonly actual: DecimalString;
}

/** Every field is optional: an absent limit is not checked. All limits are inclusive (at the limit passes). */
export interface RiskLimits {
  /** Per order, in base units. */
  readonly minQuantity?: DecimalString;
  readonly maxQuantity?: DecimalString;
  /** Per order, quantity × price in quote currency. */
  readonly minNotional?: DecimalString;
  readonly maxNotional?: DecimalString;
  /** |order price − last price| / last price × 100. Not checked when the input has no lastPrice. */
  readonly maxPriceDeviationPercent?: DecimalString;
  /** |resulting position| × price / equity × 100. */
  readonly maxPositionValuePercentOfEquity?: DecimalString;
  /** Total exposure after the order / equity. */
  readonly maxLeverage?: DecimalString;
  /** Counts positions; only checked when the order would open a NEW position (current position zero). */
  readonly maxOpenPositions?: number;
  readonly submitRate?: RateLimit;
  readonly amendRate?: RateLimit;
  /** Quote-currency loss since the day's start equity beyond which trading halts. */
  readonly dailyLossLimit?: DecimalString;
  /** Percent below peak equity beyond which trading halts. */
  readonly maxDrawdownPercent?: DecimalString;
}

export type TradingState = 'active' | 'reducing' | 'halted';

export interface OrderRiskInput {
  readonly tradingState: TradingState;
  readonly instrument: Instrument;
  readonly side: OrderSide;
  /** Positive. */
  readonly quantity: DecimalString;
  /** Positive: the limit price, or the reference (last/mark) price for market and stop orders. */
  readonly price: DecimalString;
  /** For the price deviation check; without it that check is skipped. */
  readonly lastPrice?: DecimalString;
  readonly reduceOnly: boolean;
  /** The current SIGNED net position in this instrument (+long, −short). */
  readonly positionQuantity: DecimalString;
  /** Free quote balance for a buy, free base balance for a sell (spot). */
  readonly freeBalance: DecimalString;
  /** What the order would reserve, in the same currency as freeBalance. */
  readonly requiredBalance: DecimalString;
  readonly balanceCurrency: string;
  /**
   * 'margin' for a perpetual: freeBalance is the margin still available (free less cross losses) and
   * requiredBalance the order's initial margin and fee, for either side; default 'balance' (spot).
   */
  readonly balanceKind?: 'balance' | 'margin';
  readonly equity: DecimalString;
  /** Sum of |position value| over all instruments now, in quote currency. */
  readonly totalExposure: DecimalString;
  readonly openPositions: number;
  /** Clock times of recent submits that passed (the caller keeps them; see RecentTimes). */
  readonly recentSubmits: readonly number[];
  readonly now: number;
}

/** The order in which checkOrder runs its checks; it returns the first denial. */
export const ORDER_CHECK_SEQUENCE: readonly DenialReason[] = [
  'tradingHalted',
  'reduceOnlyWouldIncrease',
  'reducingOnly',
  'submitRateExceeded',
  'quantityBelowMinimum',
  'quantityAboveMaximum',
  'notionalBelowMinimum',
  'notionalAboveMaximum',
  'priceDeviation',
  'insufficientBalance',
  'positionValueAboveLimit',
  'leverageAboveLimit',
  'tooManyOpenPositions',
];

/**
 * The checks an order that reduces exposure (orderReducesExposure) skips: it adds no exposure and, on spot,
 * sells base that an OCO partner may already hold, so a stop-loss must always be placeable. It still goes
 * through every other check in ORDER_CHECK_SEQUENCE.
 */
export const CHECKS_SKIPPED_WHEN_REDUCING: readonly DenialReason[] = [
  'insufficientBalance',
  'positionValueAboveLimit',
  'leverageAboveLimit',
  'tooManyOpenPositions',
];

/** Decimal places at which a non-terminating ratio (percent, leverage) is rounded up in a denial. */
const RATIO_PLACES = 8;
const ROUND_UP = 3;

const text = (value: Decimal): DecimalString => value.toFixed();

/** The signed change an order makes to the position: +quantity for a buy, −quantity for a sell. */
function signedQuantity(side: OrderSide, quantity: Decimal): Decimal {
  return side === 'buy' ? quantity : quantity.neg();
}

/**
 * True iff the order moves the position toward zero without crossing it: the position is not flat, the
 * order is on the opposite side, and its quantity is at most the position's size (exactly closing it counts).
 */
export function orderReducesExposure(side: OrderSide, quantity: DecimalString, positionQuantity: DecimalString): boolean {
  const amount = decimal(quantity);
  const position = decimal(positionQuantity);
  if (!amount.gt(ZERO) || position.eq(ZERO)) return false;
  const opposite = side === 'buy' ? position.lt(ZERO) : position.gt(ZERO);
  return opposite && amount.lte(position.abs());
}

/** The quantity an order on `side` can have and still only reduce the position (0 on the position's side). */
function reducibleQuantity(side: OrderSide, position: Decimal): Decimal {
  const opposite = side === 'buy' ? position.lt(ZERO) : position.gt(ZERO);
  return opposite ? position.abs() : ZERO;
}

function describePosition(position: Decimal, base: string): string {
  return `${position.gt(ZERO) ? 'long' : 'short'} position of ${text(position.abs())} ${base}`;
}

/** What an order that does not reduce exposure would do to the position, for messages. */
function describeIncrease(side: OrderSide, quantity: Decimal, position: Decimal, base: string): string {
  const resulting = position.plus(signedQuantity(side, quantity));
  if (position.eq(ZERO)) return `would open a new ${side === 'buy' ? 'long' : 'short'} position`;
  if (position.gt(ZERO) === (side === 'buy')) return `would increase the ${describePosition(position, base)}`;
  return `would flip the ${describePosition(position, base)} to ${resulting.gt(ZERO) ? 'long' : 'short'} ${text(resulting.abs())} ${base}`;
}

function denial(reason: DenialReason, message: string, limit: Decimal, actual: Decimal): Denial {
  return { reason, message, limit: text(limit), actual: text(actual) };
}

/** numerator / denominator × scale, rounded up at RATIO_PLACES (exact when it terminates before that). */
function ratio(numerator: Decimal, denominator: Decimal, scale: Decimal): Decimal {
  return numerator.times(scale).div(denominator).round(RATIO_PLACES, ROUND_UP);
}

function optionalLimit(name: string, value: DecimalString | undefined): Decimal | undefined {
  return value === undefined ? undefined : requireNonNegative(name, decimal(value));
}

function rateDenial(reason: 'submitRateExceeded' | 'amendRateExceeded', what: string, times: readonly number[], now: number, limit: RateLimit): Denial | undefined {
  requireRateLimit(reason === 'submitRateExceeded' ? 'submitRate' : 'amendRate', limit);
  const recent = countInWindow(times, now, limit.windowMs);
  if (recent < limit.count) return undefined;
  const would = recent + 1;
  return denial(
    reason,
    `${what} would make ${would} within ${limit.windowMs} ms, above the limit of ${limit.count} per ${limit.windowMs} ms`,
    decimal(limit.count),
    decimal(would),
  );
}

/**
 * Runs the pre-trade checks in ORDER_CHECK_SEQUENCE and returns the first denial, or undefined when the
 * order passes. An absent limit is not checked; every limit is inclusive.
 *
 * 1. tradingHalted: the portfolio is halted; nothing new passes, not even a reducing order.
 * 2. reduceOnlyWouldIncrease: a reduce-only order that would open, increase or flip the position.
 * 3. reducingOnly: the portfolio is reducing and the order does not reduce exposure.
 * 4. submitRateExceeded: `submitRate.count` submits already lie in (now − windowMs, now].
 * 5-8. quantity and notional (quantity × price) against their per-order minimum and maximum.
 * 9. priceDeviation: |price − lastPrice| / lastPrice × 100 above the maximum (skipped without lastPrice).
 * Orders that reduce exposure stop here (CHECKS_SKIPPED_WHEN_REDUCING); the others go on:
 * 10. insufficientBalance: freeBalance below requiredBalance (checked even without limits).
 * 11. positionValueAboveLimit: |position + order| × price / equity × 100 above the maximum.
 * 12. leverageAboveLimit: (totalExposure + (|position + order| − |position|) × price) / equity above the maximum.
 * 13. tooManyOpenPositions: the position is flat and openPositions + 1 would exceed the maximum.
 *
 * Throws (a caller's bug, not a denial) when quantity or price is not positive, lastPrice is given and not
 * positive, requiredBalance or openPositions is negative, or a limit is negative or malformed.
 */
export function checkOrder(input: OrderRiskInput, limits: RiskLimits): Denial | undefined {
  const quantity = requirePositive('quantity', decimal(input.quantity));
  const price = requirePositive('price', decimal(input.price));
  const position = decimal(input.positionQuantity);
  const { base, quote } = input.instrument;
  const reduces = orderReducesExposure(input.side, input.quantity, input.positionQuantity);
  const order = `${input.side} of ${text(quantity)} ${base}`;

  if (input.tradingState === 'halted') {
    return denial('tradingHalted', `trading is halted: no new orders pass (a ${order} on ${input.instrument.symbol})`, ZERO, quantity);
  }
  if (input.reduceOnly && !reduces) {
    return denial(
      'reduceOnlyWouldIncrease',
      `reduce-only ${order} ${describeIncrease(input.side, quantity, position, base)}`,
      reducibleQuantity(input.side, position),
      quantity,
    );
  }
  if (input.tradingState === 'reducing' && !reduces) {
    return denial(
      'reducingOnly',
      `trading is reducing only: a ${order} ${describeIncrease(input.side, quantity, position, base)}`,
      reducibleQuantity(input.side, position),
      quantity,
    );
  }
  if (limits.submitRate !== undefined) {
    const rate = rateDenial('submitRateExceeded', 'this submit', input.recentSubmits, input.now, limits.submitRate);
    if (rate) return rate;
  }
  return checkOrderSize(input, limits, quantity, price) ?? (reduces ? undefined : checkNewExposure(input, limits, quantity, price, position, quote));
}

/** Checks 5-9: quantity, notional and price deviation, run for every order. */
function checkOrderSize(input: OrderRiskInput, limits: RiskLimits, quantity: Decimal, price: Decimal): Denial | undefined {
  const { base, quote } = input.instrument;
  const minQuantity = optionalLimit('minQuantity', limits.minQuantity);
  if (minQuantity && quantity.lt(minQuantity)) {
    return denial('quantityBelowMinimum', `quantity ${text(quantity)} ${base} is below the minimum ${text(minQuantity)} ${base} per order`, minQuantity, quantity);
  }
  const maxQuantity = optionalLimit('maxQuantity', limits.maxQuantity);
  if (maxQuantity && quantity.gt(maxQuantity)) {
    return denial('quantityAboveMaximum', `quantity ${text(quantity)} ${base} is above the maximum ${text(maxQuantity)} ${base} per order`, maxQuantity, quantity);
  }
  const notional = quantity.times(price);
  const minNotional = optionalLimit('minNotional', limits.minNotional);
  if (minNotional && notional.lt(minNotional)) {
    return denial('notionalBelowMinimum', `notional ${text(notional)} ${quote} is below the minimum ${text(minNotional)} ${quote} per order`, minNotional, notional);
  }
  const maxNotional = optionalLimit('maxNotional', limits.maxNotional);
  if (maxNotional && notional.gt(maxNotional)) {
    return denial('notionalAboveMaximum', `notional ${text(notional)} ${quote} is above the maximum ${text(maxNotional)} ${quote} per order`, maxNotional, notional);
  }
  const maxDeviation = optionalLimit('maxPriceDeviationPercent', limits.maxPriceDeviationPercent);
  if (maxDeviation && input.lastPrice !== undefined) {
    const last = requirePositive('lastPrice', decimal(input.lastPrice));
    const distance = price.minus(last).abs();
    // distance / last × 100 > max, without dividing: distance × 100 > max × last.
    if (distance.times(HUNDRED).gt(maxDeviation.times(last))) {
      const deviation = ratio(distance, last, HUNDRED);
      return denial(
        'priceDeviation',
        `price ${text(price)} is ${text(deviation)}% from the last price ${text(last)}, above the maximum deviation ${text(maxDeviation)}%`,
        maxDeviation,
        deviation,
      );
    }
  }
  return undefined;
}

/** Checks 10-13: balance, position value, leverage and open positions, for orders that add exposure. */
function checkNewExposure(input: OrderRiskInput, limits: RiskLimits, quantity: Decimal, price: Decimal, position: Decimal, quote: string): Denial | undefined {
  const free = decimal(input.freeBalance);
  const required = requireNonNegative('requiredBalance', decimal(input.requiredBalance));
  if (free.lt(required)) {
    const currency = input.balanceCurrency;
    if (input.balanceKind === 'margin') {
      return denial('insufficientBalance', `available margin ${text(free)} ${currency} is below the ${text(required)} ${currency} of margin and fee this order needs`, free, required);
    }
    return denial('insufficientBalance', `free balance ${text(free)} ${currency} is below the ${text(required)} ${currency} this order needs`, free, required);
  }
  const equity = decimal(input.equity);
  const resulting = position.plus(signedQuantity(input.side, quantity)).abs();
  const positionValue = resulting.times(price);

  const maxPositionPercent = optionalLimit('maxPositionValuePercentOfEquity', limits.maxPositionValuePercentOfEquity);
  if (maxPositionPercent) {
    const worth = `resulting position ${text(resulting)} ${input.instrument.base} worth ${text(positionValue)} ${quote}`;
    if (!equity.gt(ZERO)) {
      if (positionValue.gt(ZERO)) {
        return denial(
          'positionValueAboveLimit',
          `${worth} cannot be within ${text(maxPositionPercent)}% of equity ${text(equity)} ${quote}: equity is not positive`,
          maxPositionPercent,
          positionValue,
        );
      }
    } else if (positionValue.times(HUNDRED).gt(maxPositionPercent.times(equity))) {
      const percent = ratio(positionValue, equity, HUNDRED);
      return denial(
        'positionValueAboveLimit',
        `${worth} is ${text(percent)}% of equity ${text(equity)} ${quote}, above the maximum ${text(maxPositionPercent)}%`,
        maxPositionPercent,
        percent,
      );
    }
  }

  const maxLeverage = optionalLimit('maxLeverage', limits.maxLeverage);
  if (maxLeverage) {
    const exposureNow = requireNonNegative('totalExposure', decimal(input.totalExposure));
    const exposure = max(ZERO, exposureNow.plus(resulting.minus(position.abs()).times(price)));
    const after = `exposure after the order ${text(exposure)} ${quote}`;
    if (!equity.gt(ZERO)) {
      if (exposure.gt(ZERO)) {
        return denial(
          'leverageAboveLimit',
          `${after} cannot be within leverage ${text(maxLeverage)}x of equity ${text(equity)} ${quote}: equity is not positive`,
          maxLeverage,
          exposure,
        );
      }
    } else if (exposure.gt(maxLeverage.times(equity))) {
      const leverage = ratio(exposure, equity, ONE);
      return denial(
        'leverageAboveLimit',
        `${after} is ${text(leverage)}x equity ${text(equity)} ${quote}, above the maximum leverage ${text(maxLeverage)}x`,
        maxLeverage,
        leverage,
      );
    }
  }

  if (limits.maxOpenPositions !== undefined && position.eq(ZERO)) {
    const maxOpen = limits.maxOpenPositions;
    if (!Number.isSafeInteger(maxOpen) || maxOpen < 0) throw new Error(`maxOpenPositions must be a non-negative integer, got ${maxOpen}`);
    if (!Number.isSafeInteger(input.openPositions) || input.openPositions < 0) {
      throw new Error(`openPositions must be a non-negative integer, got ${input.openPositions}`);
    }
    const would = input.openPositions + 1;
    if (would > maxOpen) {
      return denial(
        'tooManyOpenPositions',
        `a new position in ${input.instrument.symbol} would make ${would} open positions, above the maximum ${maxOpen}`,
        decimal(maxOpen),
        decimal(would),
      );
    }
  }
  return undefined;
}

/**
 * Checks an amendment: halted denies it (tradingHalted; cancels are never checked), then the amend rate.
 * A reducing portfolio lets amendments through: the caller re-runs checkOrder on the amended order when
 * it changes quantity or side of exposure.
 */
export function checkAmend(input: { readonly recentAmends: readonly number[]; readonly now: number; readonly tradingState: TradingState }, limits: RiskLimits): Denial | undefined {
  if (input.tradingState === 'halted') return denial('tradingHalted', 'trading is halted: no amendments pass (cancels still do)', ZERO, ONE);
  if (limits.amendRate !== undefined) return rateDenial('amendRateExceeded', 'this amendment', input.recentAmends, input.now, limits.amendRate);
  return undefined;
}

export interface LossInput {
  readonly dayStartEquity: DecimalString;
  readonly peakEquity: DecimalString;
  readonly equity: DecimalString;
  /** For messages only: the currency equity is counted in. */
  readonly currency?: string;
}

/**
 * The portfolio-wide loss limits; a denial means the portfolio halts. Checked in this order:
 * 1. dailyLossLimit: dayStartEquity − equity above the limit (a loss exactly at the limit passes);
 * 2. maxDrawdown: (peakEquity − equity) / peakEquity × 100 above the limit; not checked while the peak is
 *    not positive (there is nothing to draw down from).
 */
export function checkLossLimits(input: LossInput, limits: RiskLimits): Denial | undefined {
  const equity = decimal(input.equity);
  const unit = input.currency === undefined ? '' : ` ${input.currency}`;
  const dailyLimit = optionalLimit('dailyLossLimit', limits.dailyLossLimit);
  if (dailyLimit) {
    const start = decimal(input.dayStartEquity);
    const loss = start.minus(equity);
    if (loss.gt(dailyLimit)) {
      return denial(
        'dailyLossLimit',
        `loss since the day's start ${text(loss)}${unit} (equity ${text(start)} -> ${text(equity)}) is above the daily loss limit ${text(dailyLimit)}${unit}`,
        dailyLimit,
        loss,
      );
    }
  }
  const maxDrawdown = optionalLimit('maxDrawdownPercent', limits.maxDrawdownPercent);
  if (maxDrawdown) {
    const peak = decimal(input.peakEquity);
    if (peak.gt(ZERO)) {
      const drop = peak.minus(equity);
      if (drop.times(HUNDRED).gt(maxDrawdown.times(peak))) {
        const percent = ratio(drop, peak, HUNDRED);
        return denial(
          'maxDrawdown',
          `drawdown ${text(percent)}% from the peak equity ${text(peak)}${unit} to ${text(equity)}${unit} is above the maximum ${text(maxDrawdown)}%`,
          maxDrawdown,
          percent,
        );
      }
    }
  }
  return undefined;
}
