// Execution quality: fill rate, slippage against the arrival price, time from signal to first fill, summaries.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { OrderSide } from '../domain/order-request.ts';
import { mean, median, sum } from './statistics.ts';

const BASIS_POINTS_PER_UNIT = decimal(10_000);

/** One order's execution, as recorded when it ends (filled, canceled or expired). */
export interface ExecutionRecord {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly orderedQuantity: DecimalString;
  readonly filledQuantity: DecimalString;
  /** Volume-weighted average fill price; required when anything filled. */
  readonly averageFillPrice?: DecimalString;
  /** The market price (mid, or last) when the decision to trade was taken: the benchmark for slippage. */
  readonly arrivalPrice: DecimalString;
  /** Milliseconds since the epoch, from the engine's clock. */
  readonly signalTime: number;
  /** Absent when nothing filled. */
  readonly firstFillTime?: number;
  /** The execution algorithm (twap, vwap, pov, iceberg, chase, ...) whose child it is; absent: placed directly. */
  readonly algorithm?: string;
}

/** The group of orders placed without an execution algorithm (by hand, by a signal, by a position). */
export const DIRECT_EXECUTION = 'direct';

export interface AlgorithmExecution {
  /** The algorithm's kind, or DIRECT_EXECUTION. */
  readonly algorithm: string;
  readonly summary: ExecutionSummary;
}

/** Execution quality per algorithm (direct orders as DIRECT_EXECUTION), in name order. */
export function summarizeByAlgorithm(records: readonly ExecutionRecord[]): AlgorithmExecution[] {
  const groups = new Map<string, ExecutionRecord[]>();
  for (const record of records) {
    const algorithm = record.algorithm ?? DIRECT_EXECUTION;
    const group = groups.get(algorithm);
    if (group === undefined) groups.set(algorithm, [record]);
    else group.push(record);
  }
  return [...groups.keys()].sort().map((algorithm) => ({ algorithm, summary: summarizeExecution(groups.get(algorithm)!) }));
}

/** Filled / ordered, in [0, 1]. */
export function fillRate(orderedQuantity: Decimal, filledQuantity: Decimal): Decimal {
  if (!orderedQuantity.gt(ZERO)) throw new Error(`orderedQuantity must be positive, got ${orderedQuantity.toFixed()}`);
  if (filledQuantity.lt(ZERO)) throw new Error(`filledQuantity must not be negative, got ${filledQuantity.toFixed()}`);
  if (filledQuantity.gt(orderedQuantity)) {
    throw new Error(`filledQuantity ${filledQuantity.toFixed()} exceeds orderedQuantity ${orderedQuantity.toFixed()}`);
  }
  return filledQuantity.div(orderedQuantity);
}

export interface Slippage {
  /** Per unit, in quote currency. Positive = worse for the trader: paid more on a buy, received less on a sell. */
  readonly perUnit: Decimal;
  /** perUnit × quantity: what the slippage cost (negative: saved), in quote currency. */
  readonly quote: Decimal;
  /** perUnit / arrivalPrice × 10,000. */
  readonly basisPoints: Decimal;
}

/** Slippage of a fill against the arrival price, signed so that positive is worse for the trader on either side. */
export function slippage(input: { side: OrderSide; arrivalPrice: Decimal; fillPrice: Decimal; quantity: Decimal }): Slippage {
  const { side, arrivalPrice, fillPrice, quantity } = input;
  if (!arrivalPrice.gt(ZERO)) throw new Error(`arrivalPrice must be positive, got ${arrivalPrice.toFixed()}`);
  if (!fillPrice.gt(ZERO)) throw new Error(`fillPrice must be positive, got ${fillPrice.toFixed()}`);
  if (quantity.lt(ZERO)) throw new Error(`quantity must not be negative, got ${quantity.toFixed()}`);
  const perUnit = side === 'buy' ? fillPrice.minus(arrivalPrice) : arrivalPrice.minus(fillPrice);
  return { perUnit, quote: perUnit.times(quantity), basisPoints: perUnit.div(arrivalPrice).times(BASIS_POINTS_PER_UNIT) };
}

/** Milliseconds from the signal to the first fill. */
export function timeToFirstFill(signalTime: number, firstFillTime: number): number {
  if (!Number.isSafeInteger(signalTime)) throw new Error(`signalTime must be an integer millisecond timestamp, got ${signalTime}`);
  if (!Number.isSafeInteger(firstFillTime)) throw new Error(`firstFillTime must be an integer millisecond timestamp, got ${firstFillTime}`);
  if (firstFillTime < signalTime) throw new Error(`firstFillTime ${firstFillTime} is before signalTime ${signalTime}`);
  return firstFillTime - signalTime;
}

export interface ExecutionSummary {
  readonly orders: number;
  /** Orders with any fill. */
  readonly filledOrders: number;
  /** Σ filled / Σ ordered over all orders; null with no orders. */
  readonly fillRate: DecimalString | null;
  /** Of the orders with fills; null when none filled. */
  readonly slippageBasisPoints: {
    /** Mean and median of each order's slippage in bps (every order counts the same). */
    readonly mean: DecimalString;
    readonly median: DecimalString;
    /** Σ slippage cost / Σ (arrival price × filled quantity) × 10,000: the quantity-weighted figure. */
    readonly weighted: DecimalString;
  } | null;
  /** Σ slippage cost in quote currency (positive = cost). */
  readonly slippageCost: DecimalString;
  /** Of the orders with a first fill; null when none filled. Milliseconds (plain numbers: time, not money). */
  readonly timeToFirstFillMs: { readonly mean: number; readonly median: number } | null;
}

const REPORT_PLACES = 10;

function report(value: Decimal): DecimalString {
  return toDecimalString(value.round(REPORT_PLACES));
}

function medianOfNumbers(values: readonly number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Fill rate, slippage (mean, median, weighted) and signal-to-first-fill latency over a set of orders. */
export function summarizeExecution(records: readonly ExecutionRecord[]): ExecutionSummary {
  const ordered = sum(records.map((record) => decimal(record.orderedQuantity)));
  const filled = sum(records.map((record) => decimal(record.filledQuantity)));
  records.forEach((record) => fillRate(decimal(record.orderedQuantity), decimal(record.filledQuantity)));

  const withFills = records.filter((record) => decimal(record.filledQuantity).gt(ZERO));
  const slippages = withFills.map((record) => {
    if (record.averageFillPrice === undefined) throw new Error(`order ${record.orderId}: averageFillPrice is required when filledQuantity is ${record.filledQuantity}`);
    const quantity = decimal(record.filledQuantity);
    const arrivalPrice = decimal(record.arrivalPrice);
    return { ...slippage({ side: record.side, arrivalPrice, fillPrice: decimal(record.averageFillPrice), quantity }), arrivalValue: arrivalPrice.times(quantity) };
  });
  const cost = sum(slippages.map((entry) => entry.quote));
  const basisPoints = slippages.map((entry) => entry.basisPoints);
  const arrivalValue = sum(slippages.map((entry) => entry.arrivalValue));

  const latencies = records.flatMap((record) => (record.firstFillTime === undefined ? [] : [timeToFirstFill(record.signalTime, record.firstFillTime)]));

  return {
    orders: records.length,
    filledOrders: withFills.length,
    fillRate: ordered.gt(ZERO) ? report(filled.div(ordered)) : null,
    slippageBasisPoints:
      slippages.length === 0
        ? null
        : { mean: report(mean(basisPoints)), median: report(median(basisPoints)), weighted: report(cost.div(arrivalValue).times(BASIS_POINTS_PER_UNIT)) },
    slippageCost: report(cost),
    timeToFirstFillMs:
      latencies.length === 0 ? null : { mean: latencies.reduce((total, latency) => total + latency, 0) / latencies.length, median: medianOfNumbers(latencies) },
  };
}
