// Performance of closed trades: win rate, profit factor, PnL, expectancy, Sharpe/Sortino and drawdown.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../domain/decimal.ts';
import { downsideDeviation, mean, sampleStandardDeviation, sum } from './statistics.ts';
import type { TradeRecord } from './trade-record.ts';

export { EXIT_REASONS, createTradeRecord, type ExitReason, type TradeRecord } from './trade-record.ts';

/*
 * Conventions. A win is a trade with net realized PnL > 0, a loss one with PnL < 0; a trade at exactly zero
 * counts in the total but is neither. A metric that has no value for the trades given (no trades, no wins,
 * too few returns) is null. Ratios whose denominator is zero while the numerator is positive are 'infinite'.
 */

export type Ratio = Decimal | 'infinite' | null;

function pnlOf(trade: TradeRecord): Decimal {
  return decimal(trade.realizedPnl);
}

/** Wins / all trades, in [0, 1]; null with no trades. */
export function winRate(trades: readonly TradeRecord[]): Decimal | null {
  if (trades.length === 0) return null;
  return decimal(trades.filter((trade) => pnlOf(trade).gt(ZERO)).length).div(decimal(trades.length));
}

/** Sum of the winning trades' PnL (>= 0). */
export function grossProfit(trades: readonly TradeRecord[]): Decimal {
  return sum(trades.map(pnlOf).filter((pnl) => pnl.gt(ZERO)));
}

/** Sum of the losing trades' PnL as a positive magnitude (>= 0). */
export function grossLoss(trades: readonly TradeRecord[]): Decimal {
  return sum(trades.map(pnlOf).filter((pnl) => pnl.lt(ZERO))).abs();
}

/** Gross profit / gross loss. 'infinite' with profits and no losses; null with neither (no trades, or all at zero). */
export function profitFactor(trades: readonly TradeRecord[]): Ratio {
  const profit = grossProfit(trades);
  const loss = grossLoss(trades);
  if (loss.eq(ZERO)) return profit.gt(ZERO) ? 'infinite' : null;
  return profit.div(loss);
}

export function totalPnl(trades: readonly TradeRecord[]): Decimal {
  return sum(trades.map(pnlOf));
}

/** Net PnL per symbol, in order of first appearance. */
export function pnlBySymbol(trades: readonly TradeRecord[]): Map<string, Decimal> {
  const totals = new Map<string, Decimal>();
  for (const trade of trades) totals.set(trade.symbol, (totals.get(trade.symbol) ?? ZERO).plus(pnlOf(trade)));
  return totals;
}

/** Mean PnL of the winning trades; null with no wins. */
export function averageWin(trades: readonly TradeRecord[]): Decimal | null {
  const wins = trades.map(pnlOf).filter((pnl) => pnl.gt(ZERO));
  return wins.length === 0 ? null : mean(wins);
}

/** Mean PnL of the losing trades, a negative number; null with no losses. */
export function averageLoss(trades: readonly TradeRecord[]): Decimal | null {
  const losses = trades.map(pnlOf).filter((pnl) => pnl.lt(ZERO));
  return losses.length === 0 ? null : mean(losses);
}

/**
 * Expected net PnL per trade: total PnL / number of trades (equal to winRate × averageWin + lossRate × averageLoss).
 * Null with no trades.
 */
export function expectancy(trades: readonly TradeRecord[]): Decimal | null {
  return trades.length === 0 ? null : mean(trades.map(pnlOf));
}

/** A trade's return on the capital it committed: realized PnL / (entry price × quantity). */
export function tradeReturn(trade: TradeRecord): Decimal {
  const committed = decimal(trade.entryPrice).times(decimal(trade.quantity));
  if (!committed.gt(ZERO)) throw new Error(`trade ${trade.id}: entry price × quantity must be positive, got ${committed.toFixed()}`);
  return pnlOf(trade).div(committed);
}

export interface RatioOptions {
  /** The return per period (or per trade) to beat: the risk-free rate for Sharpe, the target for Sortino. Default 0. */
  readonly benchmarkReturn?: Decimal;
  /** Periods per year to annualize by √periodsPerYear (252 for daily, 12 for monthly). Absent: not annualized. */
  readonly periodsPerYear?: number;
}

function annualization(options: RatioOptions | undefined): Decimal | undefined {
  const periods = options?.periodsPerYear;
  if (periods === undefined) return undefined;
  if (!Number.isSafeInteger(periods) || periods <= 0) throw new Error(`periodsPerYear must be a positive integer, got ${periods}`);
  return decimal(periods).sqrt();
}

/**
 * Sharpe ratio of a return series (per trade, or per period; the caller chooses the series):
 * mean(r − benchmark) / sample standard deviation of r (n − 1), times √periodsPerYear when given.
 * Null with fewer than 2 returns or no variation.
 */
export function sharpeRatio(returns: readonly Decimal[], options?: RatioOptions): Decimal | null {
  if (returns.length < 2) return null;
  const deviation = sampleStandardDeviation(returns);
  if (deviation.eq(ZERO)) return null;
  const ratio = mean(returns).minus(options?.benchmarkReturn ?? ZERO).div(deviation);
  const scale = annualization(options);
  return scale === undefined ? ratio : ratio.times(scale);
}

/**
 * Sortino ratio: mean(r − target) / downside deviation below target (sqrt(Σ min(0, r − target)² / n)), times
 * √periodsPerYear when given. With no return below the target: 'infinite' when the mean beats it, else null.
 * Null with no returns.
 */
export function sortinoRatio(returns: readonly Decimal[], options?: RatioOptions): Ratio {
  if (returns.length === 0) return null;
  const target = options?.benchmarkReturn ?? ZERO;
  const excess = mean(returns).minus(target);
  const deviation = downsideDeviation(returns, target);
  if (deviation.eq(ZERO)) return excess.gt(ZERO) ? 'infinite' : null;
  const ratio = excess.div(deviation);
  const scale = annualization(options);
  return scale === undefined ? ratio : ratio.times(scale);
}

/**
 * Equity after each trade, starting with `startingEquity`: trades in exit-time order (ties by id), so the
 * curve has trades.length + 1 points.
 */
export function equityCurve(startingEquity: Decimal, trades: readonly TradeRecord[]): Decimal[] {
  const ordered = [...trades].sort((first, second) => first.exitTime - second.exitTime || (first.id < second.id ? -1 : first.id > second.id ? 1 : 0));
  const curve = [startingEquity];
  let equity = startingEquity;
  for (const trade of ordered) {
    equity = equity.plus(pnlOf(trade));
    curve.push(equity);
  }
  return curve;
}

export interface Drawdown {
  /** The largest fall from a running peak, in the curve's currency (>= 0). */
  readonly absolute: Decimal;
  /** Index of the peak and trough of that largest absolute fall (both 0 when the curve never falls). */
  readonly peakIndex: number;
  readonly troughIndex: number;
  /**
   * The largest fall relative to its running peak, (peak − trough) / peak, in [0, 1]; it can come from a
   * different peak than the absolute one. Null when a fall starts from a peak <= 0 (a PnL curve from zero has
   * no meaningful fraction: pass equity, not cumulative PnL).
   */
  readonly fraction: Decimal | null;
}

/** Maximum drawdown of an equity curve (at least one point). */
export function maxDrawdown(curve: readonly Decimal[]): Drawdown {
  if (curve.length === 0) throw new Error('maxDrawdown needs an equity curve with at least one point, got none');
  let peak = curve[0] as Decimal;
  let peakAt = 0;
  let result = { absolute: ZERO, peakIndex: 0, troughIndex: 0 };
  let fraction: Decimal | null = ZERO;
  for (const [index, equity] of curve.entries()) {
    if (equity.gt(peak)) {
      peak = equity;
      peakAt = index;
      continue;
    }
    const fall = peak.minus(equity);
    if (fall.gt(result.absolute)) result = { absolute: fall, peakIndex: peakAt, troughIndex: index };
    if (fall.gt(ZERO)) {
      if (!peak.gt(ZERO)) fraction = null;
      else if (fraction !== null && fall.div(peak).gt(fraction)) fraction = fall.div(peak);
    }
  }
  return { ...result, fraction };
}

export interface PerformanceSummary {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRate: DecimalString | null;
  readonly grossProfit: DecimalString;
  readonly grossLoss: DecimalString;
  /** A decimal string, 'infinite' (profits, no losses) or null (no profits, no losses). */
  readonly profitFactor: DecimalString | 'infinite' | null;
  readonly totalPnl: DecimalString;
  readonly pnlBySymbol: Readonly<Record<string, DecimalString>>;
  readonly averageWin: DecimalString | null;
  readonly averageLoss: DecimalString | null;
  readonly expectancy: DecimalString | null;
  /** Of per-trade returns (tradeReturn), not annualized, benchmark 0. */
  readonly sharpeRatio: DecimalString | null;
  readonly sortinoRatio: DecimalString | 'infinite' | null;
  /** Of the equity curve from `startingEquity` through every trade's PnL. */
  readonly maxDrawdown: DecimalString;
  readonly maxDrawdownFraction: DecimalString | null;
}

/** Division results carry 30 places; a report shows this many. */
const REPORT_PLACES = 10;

function reportDecimal(value: Decimal): DecimalString {
  return toDecimalString(value.round(REPORT_PLACES));
}

function reportRatio(value: Ratio): DecimalString | 'infinite' | null {
  return value === null || value === 'infinite' ? value : reportDecimal(value);
}

/** Every metric above for a list of trades, as JSON-ready decimal strings (rounded to 10 places). */
export function summarizePerformance(trades: readonly TradeRecord[], startingEquity: Decimal): PerformanceSummary {
  const pnls = trades.map(pnlOf);
  const drawdown = maxDrawdown(equityCurve(startingEquity, trades));
  const bySymbol: Record<string, DecimalString> = {};
  for (const [symbol, pnl] of pnlBySymbol(trades)) bySymbol[symbol] = reportDecimal(pnl);
  const optional = (value: Decimal | null) => (value === null ? null : reportDecimal(value));
  const returns = trades.map(tradeReturn);
  return {
    trades: trades.length,
    wins: pnls.filter((pnl) => pnl.gt(ZERO)).length,
    losses: pnls.filter((pnl) => pnl.lt(ZERO)).length,
    winRate: optional(winRate(trades)),
    grossProfit: reportDecimal(grossProfit(trades)),
    grossLoss: reportDecimal(grossLoss(trades)),
    profitFactor: reportRatio(profitFactor(trades)),
    totalPnl: reportDecimal(totalPnl(trades)),
    pnlBySymbol: bySymbol,
    averageWin: optional(averageWin(trades)),
    averageLoss: optional(averageLoss(trades)),
    expectancy: optional(expectancy(trades)),
    sharpeRatio: optional(sharpeRatio(returns)),
    sortinoRatio: reportRatio(sortinoRatio(returns)),
    maxDrawdown: reportDecimal(drawdown.absolute),
    maxDrawdownFraction: optional(drawdown.fraction),
  };
}
