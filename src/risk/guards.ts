// Input checks shared by the risk and analytics functions: each throws an Error that names the offending value.
import { HUNDRED, ONE, ZERO, type Decimal } from '../domain/decimal.ts';

/** Throws unless `value` > 0. */
export function requirePositive(name: string, value: Decimal): Decimal {
  if (!value.gt(ZERO)) throw new Error(`${name} must be positive, got ${value.toFixed()}`);
  return value;
}

/** Throws unless `value` >= 0. */
export function requireNonNegative(name: string, value: Decimal): Decimal {
  if (value.lt(ZERO)) throw new Error(`${name} must not be negative, got ${value.toFixed()}`);
  return value;
}

/** Throws unless 0 <= `value` <= 1. */
export function requireUnitInterval(name: string, value: Decimal): Decimal {
  if (value.lt(ZERO) || value.gt(ONE)) throw new Error(`${name} must be between 0 and 1, got ${value.toFixed()}`);
  return value;
}

/** Throws unless `low` <= `value` <= `high`. */
export function requireWithin(name: string, value: Decimal, low: Decimal, high: Decimal): Decimal {
  if (value.lt(low) || value.gt(high)) {
    throw new Error(`${name} must be between ${low.toFixed()} and ${high.toFixed()}, got ${value.toFixed()}`);
  }
  return value;
}

/** Throws unless 0 < `value` < 100 (a percentage that leaves a positive price on either side). */
export function requirePercentBelowHundred(name: string, value: Decimal): Decimal {
  if (!value.gt(ZERO) || !value.lt(HUNDRED)) {
    throw new Error(`${name} must be above 0 and below 100 (percent), got ${value.toFixed()}`);
  }
  return value;
}

/** Throws unless `value` is a positive safe integer (counts, not money). */
export function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}
