// The one exact decimal type for prices, quantities, cash and fees, and its string form at boundaries.
import BigConstructor from 'big.js';
import type { Big } from 'big.js';

/**
 * An independent big.js constructor in strict mode: it refuses JavaScript numbers that are not safe
 * integers (no float can sneak in) and `valueOf` throws, so `a < b` on two decimals is a bug caught at once.
 */
const ExactDecimal = BigConstructor();
ExactDecimal.strict = true;
// Division only happens for averages and ratios; 30 places is far below any tick size in use.
ExactDecimal.DP = 30;
ExactDecimal.RM = ExactDecimal.roundHalfEven;

export type Decimal = Big;

/** A decimal written as a string: `-12.5`, `0.001`. The form used in events, the API, the store and logs. */
export type DecimalString = string;

const DECIMAL_PATTERN = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

export class DecimalParseError extends Error {
  override name = 'DecimalParseError';
}

/** True when the text is a plain decimal number (no exponent, no NaN, no Infinity). */
export function isDecimalText(text: string): boolean {
  return DECIMAL_PATTERN.test(text);
}

/** Parses a decimal from its string form, or a Decimal, or a safe integer. Floats are refused. */
export function decimal(value: string | Decimal | number | bigint): Decimal {
  if (typeof value === 'string') {
    if (!DECIMAL_PATTERN.test(value)) throw new DecimalParseError(`"${value}" is not a decimal number`);
    return new ExactDecimal(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new DecimalParseError(`${value} is not a safe integer; pass decimals as strings`);
    }
    return new ExactDecimal(String(value));
  }
  if (typeof value === 'bigint') return new ExactDecimal(value.toString());
  return value;
}

export const ZERO: Decimal = new ExactDecimal('0');
export const ONE: Decimal = new ExactDecimal('1');
export const HUNDRED: Decimal = new ExactDecimal('100');

/** The canonical string of a decimal: no exponent, no trailing zeros (`1.50` -> `1.5`). */
export function toDecimalString(value: Decimal): DecimalString {
  return value.toFixed();
}

/** Re-canonicalises a decimal string (`"1.50"` -> `"1.5"`), validating it on the way. */
export function canonical(value: DecimalString | Decimal): DecimalString {
  return decimal(value).toFixed();
}

export function add(a: DecimalString, b: DecimalString): DecimalString {
  return decimal(a).plus(b).toFixed();
}

export function subtract(a: DecimalString, b: DecimalString): DecimalString {
  return decimal(a).minus(b).toFixed();
}

export function multiply(a: DecimalString, b: DecimalString): DecimalString {
  return decimal(a).times(b).toFixed();
}

export function compare(a: DecimalString | Decimal, b: DecimalString | Decimal): -1 | 0 | 1 {
  return decimal(a).cmp(decimal(b)) as -1 | 0 | 1;
}

export function isZero(a: DecimalString | Decimal): boolean {
  return decimal(a).eq(ZERO);
}

export function isPositive(a: DecimalString | Decimal): boolean {
  return decimal(a).gt(ZERO);
}

export function min(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

/** True when `value` is an exact whole multiple of `step` (step > 0). */
export function isMultipleOf(value: Decimal, step: Decimal): boolean {
  return value.mod(step).eq(ZERO);
}

export type Rounding = 'down' | 'up' | 'nearest';

/** Rounds `value` to a multiple of `step`: down (toward zero), up (away from zero) or to the nearest. */
export function roundToStep(value: Decimal, step: Decimal, rounding: Rounding): Decimal {
  const mode = rounding === 'down' ? 0 : rounding === 'up' ? 3 : 1;
  return value.div(step).round(0, mode).times(step);
}
