// The statistics of a report (a backtest's, or a daemon's history): one function of trades and an equity
// curve, so the report and GET /v1/performance give the same figures for the same history.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../domain/decimal.ts';
import {
  annualizedReturn,
  annualizedVolatility,
  calmarRatio,
  equityOnGrid,
  exposure,
  maxDrawdownDuration,
  periodReturns,
  periodsPerYear,
  returnPeriodMs,
  totalReturn,
  type EquityPoint,
} from './equity-statistics.ts';
import { averageLoss, averageWin, expectancy, grossLoss, grossProfit, maxDrawdown, profitFactor, sharpeRatio, sortinoRatio, totalPnl, winRate, type Ratio } from './performance.ts';
import { sum } from './statistics.ts';
import type { TradeRecord } from './trade-record.ts';

export interface StatisticsInput {
  readonly trades: readonly TradeRecord[];
  /** The account's value over time, in time order, at least one point; decimal strings. */
  readonly equity: readonly { readonly time: number; readonly equity: DecimalString }[];
  /** The period the statistics cover (epoch ms); the curve should span it. */
  readonly start: number;
  readonly end: number;
}

/** Every figure a report shows, JSON-ready: money and ratios as decimal strings (10 places at most), times in ms. */
export interface ReportStatistics {
  readonly start: number;
  readonly end: number;
  readonly startingEquity: DecimalString;
  readonly endingEquity: DecimalString;
  readonly totalReturn: DecimalString;
  readonly annualizedReturn: DecimalString | null;
  /** The period of the return series behind volatility, Sharpe and Sortino (a minute, an hour or a day). */
  readonly returnPeriodMs: number;
  readonly volatility: DecimalString | null;
  readonly sharpeRatio: DecimalString | null;
  readonly sortinoRatio: DecimalString | 'infinite' | null;
  readonly calmarRatio: DecimalString | 'infinite' | null;
  readonly maxDrawdown: DecimalString;
  readonly maxDrawdownFraction: DecimalString | null;
  readonly maxDrawdownDurationMs: number;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRate: DecimalString | null;
  readonly profitFactor: DecimalString | 'infinite' | null;
  readonly totalPnl: DecimalString;
  readonly grossProfit: DecimalString;
  readonly grossLoss: DecimalString;
  readonly expectancy: DecimalString | null;
  readonly averageWin: DecimalString | null;
  readonly averageLoss: DecimalString | null;
  readonly bestTrade: DecimalString | null;
  readonly worstTrade: DecimalString | null;
  /** Share of the period with a position open, in [0, 1]. */
  readonly exposure: DecimalString;
  readonly fees: DecimalString;
  /** Traded notional: Σ (entry + exit price) × quantity over the trades. */
  readonly turnover: DecimalString;
  /** Turnover / starting equity. */
  readonly turnoverRatio: DecimalString | null;
}

const PLACES = 10;

export function reportDecimal(value: Decimal): DecimalString {
  return toDecimalString(value.round(PLACES));
}

function optional(value: Decimal | null): DecimalString | null {
  return value === null ? null : reportDecimal(value);
}

function ratio(value: Ratio): DecimalString | 'infinite' | null {
  return value === null || value === 'infinite' ? value : reportDecimal(value);
}

/** The statistics of a period: trade figures from the trades, return and risk figures from the curve. */
export function computeStatistics(input: StatisticsInput): ReportStatistics {
  if (input.equity.length === 0) throw new Error('computeStatistics needs an equity curve with at least one point');
  if (!(input.end >= input.start)) throw new Error(`end ${input.end} is before start ${input.start}`);
  const curve: EquityPoint[] = input.equity.map((point) => ({ time: point.time, equity: decimal(point.equity) }));
  for (let index = 1; index < curve.length; index++) {
    if (curve[index]!.time < curve[index - 1]!.time) throw new Error(`equity point ${index} (${curve[index]!.time}) is before the one before it`);
  }
  const first = curve[0]!.equity;
  const last = curve[curve.length - 1]!.equity;
  const span = input.end - input.start;
  const period = returnPeriodMs(span);
  const returns = periodReturns(equityOnGrid(curve, period));
  const total = totalReturn(first, last);
  const annualized = annualizedReturn(total, span);
  const drawdown = maxDrawdown(curve.map((point) => point.equity));
  const options = { periodsPerYear: periodsPerYear(period) };
  const { trades } = input;
  const pnls = trades.map((trade) => decimal(trade.realizedPnl));
  const turnover = sum(trades.map((trade) => decimal(trade.entryPrice).plus(trade.exitPrice).times(trade.quantity)));
  const best = pnls.reduce<Decimal | null>((top, pnl) => (top === null || pnl.gt(top) ? pnl : top), null);
  const worst = pnls.reduce<Decimal | null>((bottom, pnl) => (bottom === null || pnl.lt(bottom) ? pnl : bottom), null);
  return {
    start: input.start,
    end: input.end,
    startingEquity: reportDecimal(first),
    endingEquity: reportDecimal(last),
    totalReturn: reportDecimal(total),
    annualizedReturn: optional(annualized),
    returnPeriodMs: period,
    volatility: optional(annualizedVolatility(returns, period)),
    sharpeRatio: optional(sharpeRatio(returns, options)),
    sortinoRatio: ratio(returns.length === 0 ? null : sortinoRatio(returns, options)),
    calmarRatio: ratio(calmarRatio(annualized, drawdown.fraction)),
    maxDrawdown: reportDecimal(drawdown.absolute),
    maxDrawdownFraction: optional(drawdown.fraction),
    maxDrawdownDurationMs: maxDrawdownDuration(curve).durationMs,
    trades: trades.length,
    wins: pnls.filter((pnl) => pnl.gt(ZERO)).length,
    losses: pnls.filter((pnl) => pnl.lt(ZERO)).length,
    winRate: optional(winRate(trades)),
    profitFactor: ratio(profitFactor(trades)),
    totalPnl: reportDecimal(totalPnl(trades)),
    grossProfit: reportDecimal(grossProfit(trades)),
    grossLoss: reportDecimal(grossLoss(trades)),
    expectancy: optional(expectancy(trades)),
    averageWin: optional(averageWin(trades)),
    averageLoss: optional(averageLoss(trades)),
    bestTrade: optional(best),
    worstTrade: optional(worst),
    exposure: reportDecimal(exposure(trades.map((trade) => ({ start: trade.entryTime, end: trade.exitTime })), input.start, input.end)),
    fees: reportDecimal(sum(trades.map((trade) => decimal(trade.fees)))),
    turnover: reportDecimal(turnover),
    turnoverRatio: first.gt(ZERO) ? reportDecimal(turnover.div(first)) : null,
  };
}

/** One row of a per-symbol or per-exit-reason table. */
export interface TradeGroupRow {
  readonly key: string;
  readonly trades: number;
  readonly wins: number;
  readonly winRate: DecimalString | null;
  readonly totalPnl: DecimalString;
  readonly averagePnl: DecimalString | null;
  readonly fees: DecimalString;
}

/** Trades grouped by symbol or exit reason, groups in order of first appearance. */
export function groupTrades(trades: readonly TradeRecord[], by: 'symbol' | 'exitReason'): TradeGroupRow[] {
  const groups = new Map<string, TradeRecord[]>();
  for (const trade of trades) {
    const key = trade[by];
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [trade]);
    else group.push(trade);
  }
  return [...groups.entries()].map(([key, group]) => ({
    key,
    trades: group.length,
    wins: group.filter((trade) => decimal(trade.realizedPnl).gt(ZERO)).length,
    winRate: optional(winRate(group)),
    totalPnl: reportDecimal(totalPnl(group)),
    averagePnl: optional(expectancy(group)),
    fees: reportDecimal(sum(group.map((trade) => decimal(trade.fees)))),
  }));
}

/**
 * The equity curve a history of closed trades implies: the starting equity at `start`, then after each trade
 * (in exit order) the running sum of realized PnL. What a daemon's performance is measured on.
 */
export function realizedEquityCurve(trades: readonly TradeRecord[], startingEquity: DecimalString, start: number): { time: number; equity: DecimalString }[] {
  const ordered = [...trades].sort((a, b) => a.exitTime - b.exitTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let equity = decimal(startingEquity);
  const curve = [{ time: start, equity: equity.toFixed() }];
  for (const trade of ordered) {
    equity = equity.plus(trade.realizedPnl);
    curve.push({ time: Math.max(start, trade.exitTime), equity: equity.toFixed() });
  }
  return curve;
}
