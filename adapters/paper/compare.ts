// Allocation-free ordering of two decimals, for the paper venue's per-tick hot path.
import type { Decimal } from '../../src/domain/decimal.ts';

/**
 * Same answer as `a.cmp(b)`, without the copy big.js makes of its argument on every comparison (`cmp`
 * starts with `new Big(b)`, which allocates an object and a digit array). Reads the documented big.js
 * fields: `s` sign (1 or -1), `e` exponent, `c` coefficient digits, most significant first, normalised
 * (no leading or trailing zeros; zero is `[0]`).
 */
export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const aDigits = a.c;
  const bDigits = b.c;
  const aZero = aDigits[0] === 0;
  const bZero = bDigits[0] === 0;
  if (aZero || bZero) return aZero ? (bZero ? 0 : b.s > 0 ? -1 : 1) : a.s > 0 ? 1 : -1;
  if (a.s !== b.s) return a.s > 0 ? 1 : -1;
  const negative = a.s < 0;
  if (a.e !== b.e) return a.e > b.e !== negative ? 1 : -1;
  const shorter = aDigits.length < bDigits.length ? aDigits.length : bDigits.length;
  for (let index = 0; index < shorter; index++) {
    const aDigit = aDigits[index]!;
    const bDigit = bDigits[index]!;
    if (aDigit !== bDigit) return aDigit > bDigit !== negative ? 1 : -1;
  }
  if (aDigits.length === bDigits.length) return 0;
  return aDigits.length > bDigits.length !== negative ? 1 : -1;
}

/** a <= b, allocation-free. */
export function isAtMost(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) <= 0;
}

/** a >= b, allocation-free. */
export function isAtLeast(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) >= 0;
}
