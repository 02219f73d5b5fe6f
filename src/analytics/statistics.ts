// Descriptive statistics on exact decimals: sum, mean, median, sample and downside deviation.
import { ZERO, decimal, type Decimal } from '../domain/decimal.ts';

function requireValues(name: string, values: readonly Decimal[], atLeast: number): void {
  if (values.length < atLeast) throw new Error(`${name} needs at least ${atLeast} value${atLeast === 1 ? '' : 's'}, got ${values.length}`);
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((total, value) => total.plus(value), ZERO);
}

export function mean(values: readonly Decimal[]): Decimal {
  requireValues('mean', values, 1);
  return sum(values).div(decimal(values.length));
}

/** The middle value; for an even count, the mean of the two middle values. */
export function median(values: readonly Decimal[]): Decimal {
  requireValues('median', values, 1);
  const sorted = [...values].sort((first, second) => first.cmp(second));
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as Decimal;
  return sorted.length % 2 === 1 ? upper : (sorted[middle - 1] as Decimal).plus(upper).div(decimal(2));
}

/** Sample standard deviation (n − 1 in the denominator). */
export function sampleStandardDeviation(values: readonly Decimal[]): Decimal {
  requireValues('sample standard deviation', values, 2);
  const average = mean(values);
  const squares = sum(values.map((value) => value.minus(average).pow(2)));
  return squares.div(decimal(values.length - 1)).sqrt();
}

/**
 * Downside deviation below `target`: sqrt(Σ min(0, x − target)² / n), n counting every value (the usual
 * Sortino convention: returns above the target count as zero shortfall, not as missing).
 */
export function downsideDeviation(values: readonly Decimal[], target: Decimal): Decimal {
  requireValues('downside deviation', values, 1);
  const shortfalls = values.map((value) => (value.lt(target) ? value.minus(target).pow(2) : ZERO));
  return sum(shortfalls).div(decimal(values.length)).sqrt();
}
