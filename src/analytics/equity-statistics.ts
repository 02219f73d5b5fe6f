// Time-based statistics of an equity curve: returns on a regular grid, annualised return and volatility,
// drawdown duration, Calmar, and the share of time a strategy held a position.
import { ONE, ZERO, decimal, type Decimal } from '../domain/decimal.ts';
import type { Ratio } from './performance.ts';
import { sampleStandardDeviation } from './statistics.ts';

/** One point of an equity curve: the account's value at a time (epoch ms). */
export interface EquityPoint {
  readonly time: number;
  readonly equity: Decimal;
}

/** A year of 365 days: the annualisation basis (crypto trades every day). */
export const YEAR_MS = 365 * 86_400_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The period returns are measured over, from the span: a minute up to two days, an hour up to sixty days, a
 * day beyond. Each divides a year exactly, so the periods per year are a whole number.
 */
export function returnPeriodMs(spanMs: number): number {
  if (spanMs <= 2 * DAY_MS) return MINUTE_MS;
  if (spanMs <= 60 * DAY_MS) return HOUR_MS;
  return DAY_MS;
}

/**
 * The curve's value at start, start + period, ... up to its last point's time, and at that last time when it
 * falls between grid times. The curve is a step function: each point holds until the next. Points must be in
 * time order.
 */
export function equityOnGrid(curve: readonly EquityPoint[], periodMs: number): Decimal[] {
  if (curve.length === 0) return [];
  if (!Number.isSafeInteger(periodMs) || periodMs <= 0) throw new Error(`periodMs must be a positive whole number, got ${periodMs}`);
  const start = curve[0]!.time;
  const end = curve[curve.length - 1]!.time;
  const values: Decimal[] = [];
  let index = 0;
  const valueAt = (time: number): Decimal => {
    while (index + 1 < curve.length && curve[index + 1]!.time <= time) index++;
    return curve[index]!.equity;
  };
  let time = start;
  for (; time <= end; time += periodMs) values.push(valueAt(time));
  if (time - periodMs < end) values.push(curve[curve.length - 1]!.equity);
  return values;
}

/** Simple returns between consecutive values: v[i] / v[i-1] − 1. A value at or below zero ends the series (nothing left to return on). */
export function periodReturns(values: readonly Decimal[]): Decimal[] {
  const returns: Decimal[] = [];
  for (let index = 1; index < values.length; index++) {
    const previous = values[index - 1]!;
    if (!previous.gt(ZERO)) break;
    returns.push(values[index]!.div(previous).minus(ONE));
  }
  return returns;
}

/** last / first − 1. */
export function totalReturn(first: Decimal, last: Decimal): Decimal {
  if (!first.gt(ZERO)) throw new Error(`the first equity must be positive, got ${first.toFixed()}`);
  return last.div(first).minus(ONE);
}

/** Decimal places kept where a figure must pass through a float (fractional powers). */
const FLOAT_PLACES = 12;

/**
 * (1 + total)^(year / span) − 1: the yearly rate that compounds to the total over the span. A fractional power
 * has no exact decimal form: it is computed in binary floating point and rounded to 12 places (a ratio, not
 * money). Null for an empty span or a total loss.
 */
export function annualizedReturn(total: Decimal, spanMs: number): Decimal | null {
  if (!(spanMs > 0)) return null;
  const growth = total.plus(ONE);
  if (!growth.gt(ZERO)) return null;
  const annual = Math.pow(Number(growth.toFixed()), YEAR_MS / spanMs) - 1;
  // Beyond 1e21 a float prints with an exponent: such a figure says nothing but "extrapolated from too short a span".
  if (!Number.isFinite(annual) || Math.abs(annual) >= 1e21) return null;
  return decimal(annual.toFixed(FLOAT_PLACES));
}

/** Sample standard deviation of period returns × √(periods per year); null with fewer than 2 returns. */
export function annualizedVolatility(returns: readonly Decimal[], periodMs: number): Decimal | null {
  if (returns.length < 2) return null;
  return sampleStandardDeviation(returns).times(decimal(periodsPerYear(periodMs)).sqrt());
}

export function periodsPerYear(periodMs: number): number {
  const periods = YEAR_MS / periodMs;
  if (!Number.isSafeInteger(periods)) throw new Error(`a period of ${periodMs} ms does not divide a year`);
  return periods;
}

export interface DrawdownDuration {
  /** The longest time from a peak until equity is back at it (or the curve's end, if never): 0 when it never falls. */
  readonly durationMs: number;
  readonly peakTime: number | undefined;
  /** When that peak was regained; undefined when it was not by the end. */
  readonly recoveryTime: number | undefined;
}

/** The longest stretch below a running peak. Points must be in time order. */
export function maxDrawdownDuration(curve: readonly EquityPoint[]): DrawdownDuration {
  let longest: DrawdownDuration = { durationMs: 0, peakTime: undefined, recoveryTime: undefined };
  if (curve.length === 0) return longest;
  let peak = curve[0]!;
  let below = false;
  for (const point of curve) {
    if (point.equity.gte(peak.equity)) {
      if (below && point.time - peak.time > longest.durationMs) longest = { durationMs: point.time - peak.time, peakTime: peak.time, recoveryTime: point.time };
      below = false;
      peak = point;
    } else {
      below = true;
    }
  }
  const end = curve[curve.length - 1]!.time;
  if (below && end - peak.time > longest.durationMs) longest = { durationMs: end - peak.time, peakTime: peak.time, recoveryTime: undefined };
  return longest;
}

/** Annualised return / max drawdown fraction; 'infinite' with a positive return and no drawdown; null otherwise. */
export function calmarRatio(annualized: Decimal | null, drawdownFraction: Decimal | null): Ratio {
  if (annualized === null || drawdownFraction === null) return null;
  if (drawdownFraction.eq(ZERO)) return annualized.gt(ZERO) ? 'infinite' : null;
  return annualized.div(drawdownFraction);
}

/** The share of [start, end] covered by at least one interval (overlaps counted once), in [0, 1]. */
export function exposure(intervals: readonly { readonly start: number; readonly end: number }[], start: number, end: number): Decimal {
  if (!(end > start)) return ZERO;
  const clipped = intervals
    .map((interval) => ({ start: Math.max(start, interval.start), end: Math.min(end, interval.end) }))
    .filter((interval) => interval.end > interval.start)
    .sort((a, b) => a.start - b.start);
  let covered = 0;
  let reach = -Infinity;
  for (const interval of clipped) {
    if (interval.end <= reach) continue;
    covered += interval.end - Math.max(interval.start, reach);
    reach = interval.end;
  }
  return decimal(covered).div(decimal(end - start));
}
