// Position sizing methods: each returns a quantity rounded down to the lot, and why it is zero when it is.
import { ONE, ZERO, max, min, type Decimal } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import { roundQuantityDown, type LotGrid } from './grid.ts';
import { requireNonNegative, requirePositive, requireUnitInterval, requireWithin } from './guards.ts';

/** Why a sizing method came out at zero. */
export type SizingZeroReason =
  /** The budget it was given (amount, equity, fraction, risk or base quantity) is zero. */
  | 'zeroBudget'
  /** The unrounded quantity is positive but less than one lot. */
  | 'belowLot'
  /** Kelly: the win rate and win/loss ratio give no positive edge. */
  | 'noEdge'
  /** Correlation adjustment: an open position is perfectly correlated, nothing is left to add. */
  | 'fullyCorrelated'
  /** Confidence scaling mapped the confidence to a scale of zero. */
  | 'zeroConfidenceScale'
  /** Cap: the quantity is below the instrument's minimum quantity. */
  | 'belowMinQuantity'
  /** Cap: the order value is below the minimum notional. */
  | 'belowMinNotional';

export interface PositionSize {
  /** The quantity to trade: a whole number of lots, rounded down, never more than the method asked for. */
  readonly quantity: Decimal;
  /** What the method computed before lot rounding (and before any cap). */
  readonly unroundedQuantity: Decimal;
  /** Present exactly when `quantity` is zero. */
  readonly zeroReason?: SizingZeroReason;
}

function sized(grid: LotGrid, unroundedQuantity: Decimal, reasonIfNothingAsked: SizingZeroReason): PositionSize {
  if (unroundedQuantity.eq(ZERO)) return { quantity: ZERO, unroundedQuantity, zeroReason: reasonIfNothingAsked };
  const quantity = roundQuantityDown(grid, unroundedQuantity);
  if (quantity.eq(ZERO)) return { quantity, unroundedQuantity, zeroReason: 'belowLot' };
  return { quantity, unroundedQuantity };
}

/** Spend a fixed amount of quote currency: quantity = amount / price. */
export function sizeByFixedAmount(input: { amount: Decimal; price: Decimal; instrument: LotGrid }): PositionSize {
  requireNonNegative('amount', input.amount);
  requirePositive('price', input.price);
  return sized(input.instrument, input.amount.div(input.price), 'zeroBudget');
}

/** Commit a fixed fraction of equity (0..1, no leverage): quantity = equity × fraction / price. */
export function sizeByFixedFraction(input: { equity: Decimal; fraction: Decimal; price: Decimal; instrument: LotGrid }): PositionSize {
  requireNonNegative('equity', input.equity);
  requireUnitInterval('fraction', input.fraction);
  requirePositive('price', input.price);
  return sized(input.instrument, input.equity.times(input.fraction).div(input.price), 'zeroBudget');
}

/**
 * Risk a fixed fraction of equity between entry and stop:
 * quantity = equity × riskFraction / (|entry − stop| + feePerUnit).
 * `feePerUnit` (default 0) adds the round-trip cost per unit to the loss taken at the stop, so
 * quantity × |entry − stop| never exceeds equity × riskFraction, with or without fees.
 */
export function sizeByRisk(input: {
  equity: Decimal;
  riskFraction: Decimal;
  entryPrice: Decimal;
  stopPrice: Decimal;
  feePerUnit?: Decimal;
  instrument: LotGrid;
}): PositionSize {
  requireNonNegative('equity', input.equity);
  requireUnitInterval('riskFraction', input.riskFraction);
  requirePositive('entryPrice', input.entryPrice);
  requirePositive('stopPrice', input.stopPrice);
  const feePerUnit = requireNonNegative('feePerUnit', input.feePerUnit ?? ZERO);
  const stopDistance = input.entryPrice.minus(input.stopPrice).abs();
  if (stopDistance.eq(ZERO)) {
    throw new Error(`stop distance must be positive: stopPrice ${input.stopPrice.toFixed()} equals entryPrice ${input.entryPrice.toFixed()}`);
  }
  const riskBudget = input.equity.times(input.riskFraction);
  return sized(input.instrument, riskBudget.div(stopDistance.plus(feePerUnit)), 'zeroBudget');
}

/**
 * The full Kelly fraction of equity: f* = W − (1 − W) / R, with W the win rate and R the average win over
 * the average loss. Negative when the edge is negative.
 */
export function kellyFraction(winRate: Decimal, winLossRatio: Decimal): Decimal {
  requireUnitInterval('winRate', winRate);
  requirePositive('winLossRatio', winLossRatio);
  return winRate.minus(ONE.minus(winRate).div(winLossRatio));
}

export interface KellySize extends PositionSize {
  /** The fraction of equity committed: clamp(kelly × multiplier, 0, maxFraction). */
  readonly fraction: Decimal;
}

/**
 * Kelly sizing: commit equity × fraction to the position, fraction = min(maxFraction, max(0, f* × multiplier)).
 * `multiplier` (default 1; 0.5 is "half Kelly") scales the full Kelly fraction down; `maxFraction` caps it.
 * A zero or negative edge sizes to zero with reason 'noEdge'.
 */
export function sizeByKelly(input: {
  equity: Decimal;
  price: Decimal;
  winRate: Decimal;
  winLossRatio: Decimal;
  multiplier?: Decimal;
  maxFraction: Decimal;
  instrument: LotGrid;
}): KellySize {
  requireNonNegative('equity', input.equity);
  requirePositive('price', input.price);
  const multiplier = requireWithin('multiplier', input.multiplier ?? ONE, ZERO, ONE);
  requireUnitInterval('maxFraction', input.maxFraction);
  const full = kellyFraction(input.winRate, input.winLossRatio);
  if (!full.gt(ZERO)) return { quantity: ZERO, unroundedQuantity: ZERO, zeroReason: 'noEdge', fraction: ZERO };
  const fraction = min(input.maxFraction, max(ZERO, full.times(multiplier)));
  return { ...sized(input.instrument, input.equity.times(fraction).div(input.price), 'zeroBudget'), fraction };
}

/**
 * Volatility-adjusted sizing: lose `riskAmount` (quote currency) on an adverse move of `atrMultiple` × ATR:
 * quantity = riskAmount / (atr × atrMultiple).
 */
export function sizeByVolatility(input: { riskAmount: Decimal; atr: Decimal; atrMultiple: Decimal; instrument: LotGrid }): PositionSize {
  requireNonNegative('riskAmount', input.riskAmount);
  requirePositive('atr', input.atr);
  requirePositive('atrMultiple', input.atrMultiple);
  return sized(input.instrument, input.riskAmount.div(input.atr.times(input.atrMultiple)), 'zeroBudget');
}

/**
 * The share of a base size left after correlation: 1 − max(0, the largest correlation). A position that
 * moves with one already held (correlation ρ > 0) adds ρ of that risk again, so only (1 − ρ) of it is new;
 * negative correlations (hedges) do not enlarge the size. Correlations must be in [−1, 1], and signed by
 * direction: pass −ρ for an open position on the opposite side, since it then hedges rather than adds.
 */
export function correlationScale(correlations: readonly Decimal[]): Decimal {
  correlations.forEach((correlation, index) => requireWithin(`correlation ${index}`, correlation, ONE.neg(), ONE));
  const largest = correlations.reduce((highest, correlation) => max(highest, correlation), ZERO);
  return ONE.minus(largest);
}

/** Correlation-adjusted sizing: baseQuantity × correlationScale(correlations), rounded down to the lot. */
export function sizeByCorrelation(input: { baseQuantity: Decimal; correlations: readonly Decimal[]; instrument: LotGrid }): PositionSize {
  requireNonNegative('baseQuantity', input.baseQuantity);
  const scale = correlationScale(input.correlations);
  if (input.baseQuantity.eq(ZERO)) return { quantity: ZERO, unroundedQuantity: ZERO, zeroReason: 'zeroBudget' };
  return sized(input.instrument, input.baseQuantity.times(scale), 'fullyCorrelated');
}

/**
 * Linear map of a confidence in [0, 1] onto [minScale, maxScale]: minScale + (maxScale − minScale) × confidence.
 * Non-decreasing in confidence. maxScale may exceed 1 (size up on strong signals).
 */
export function confidenceScale(confidence: Decimal, minScale: Decimal, maxScale: Decimal): Decimal {
  requireUnitInterval('confidence', confidence);
  requireNonNegative('minScale', minScale);
  if (maxScale.lt(minScale)) throw new Error(`maxScale ${maxScale.toFixed()} must not be below minScale ${minScale.toFixed()}`);
  return minScale.plus(maxScale.minus(minScale).times(confidence));
}

/** Confidence-scaled sizing: baseQuantity × confidenceScale(confidence, minScale, maxScale), rounded down to the lot. */
export function sizeByConfidence(input: {
  baseQuantity: Decimal;
  confidence: Decimal;
  minScale: Decimal;
  maxScale: Decimal;
  instrument: LotGrid;
}): PositionSize {
  requireNonNegative('baseQuantity', input.baseQuantity);
  const scale = confidenceScale(input.confidence, input.minScale, input.maxScale);
  if (input.baseQuantity.eq(ZERO)) return { quantity: ZERO, unroundedQuantity: ZERO, zeroReason: 'zeroBudget' };
  return sized(input.instrument, input.baseQuantity.times(scale), 'zeroConfidenceScale');
}

export interface CappedSize extends PositionSize {
  /** True when the maximum position value cut the quantity. */
  readonly capped: boolean;
}

/**
 * The last step of every sizing: round down to the lot, cut to `maxPositionValue` (quantity × price, quote
 * currency) when given, and zero a quantity below the instrument's minimum quantity or the minimum notional
 * (`minNotional`, default the instrument's): raising it would trade more than was asked for.
 */
export function capPositionSize(input: {
  quantity: Decimal;
  price: Decimal;
  maxPositionValue?: Decimal;
  minNotional?: Decimal;
  instrument: Pick<Instrument, 'lotSize' | 'minQuantity' | 'minNotional'>;
}): CappedSize {
  requireNonNegative('quantity', input.quantity);
  requirePositive('price', input.price);
  const { instrument } = input;
  const minNotional = requireNonNegative('minNotional', input.minNotional ?? instrument.minNotional);
  let quantity = roundQuantityDown(instrument, input.quantity);
  let capped = false;
  if (input.maxPositionValue !== undefined) {
    requireNonNegative('maxPositionValue', input.maxPositionValue);
    if (quantity.times(input.price).gt(input.maxPositionValue)) {
      quantity = roundQuantityDown(instrument, input.maxPositionValue.div(input.price));
      capped = true;
    }
  }
  const base = { unroundedQuantity: input.quantity, capped };
  if (input.quantity.eq(ZERO)) return { ...base, quantity: ZERO, zeroReason: 'zeroBudget' };
  if (quantity.eq(ZERO)) return { ...base, quantity, zeroReason: 'belowLot' };
  if (quantity.lt(instrument.minQuantity)) return { ...base, quantity: ZERO, zeroReason: 'belowMinQuantity' };
  if (quantity.times(input.price).lt(minNotional)) return { ...base, quantity: ZERO, zeroReason: 'belowMinNotional' };
  return { ...base, quantity };
}
