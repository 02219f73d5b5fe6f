// The report of a daemon's history (live or paper): its closed trades since a time, on the realized equity
// curve. One function for GET /v1/performance and `fillstate report --since`, so both give the same figures.
import type { AlgorithmExecution, ExecutionSummary } from '../analytics/execution.ts';
import { computeStatistics, groupTrades, realizedEquityCurve, type ReportStatistics } from '../analytics/report-statistics.ts';
import type { TradeRecord } from '../analytics/trade-record.ts';
import { decimal, ZERO, type DecimalString } from '../domain/decimal.ts';
import { REPORT_FORMAT, type Report } from './report.ts';

export interface HistoryPeriod {
  /** Trades that closed at or after `since` (and at or before `until`) count; all when absent. */
  readonly since?: number;
  readonly until?: number;
}

export interface HistoryStatistics {
  /** Equity when the period began: the equity now less the realized PnL of every trade closed since. */
  readonly startingEquity: DecimalString;
  readonly start: number;
  readonly end: number;
  readonly trades: readonly TradeRecord[];
  readonly statistics: ReportStatistics;
}

export function tradesInPeriod(trades: readonly TradeRecord[], period: HistoryPeriod): TradeRecord[] {
  return trades.filter((trade) => (period.since === undefined || trade.exitTime >= period.since) && (period.until === undefined || trade.exitTime <= period.until));
}

/**
 * The statistics of the trades closed in the period, measured on the equity curve their realized PnL draws
 * from `startingEquity` (given, or the equity now less the PnL since). The period runs from `since` (else the
 * first entry) to `until` (else the last exit), so the answer does not change while no trade closes.
 */
export function historyStatistics(input: { readonly trades: readonly TradeRecord[]; readonly equityNow?: DecimalString; readonly startingEquity?: DecimalString } & HistoryPeriod): HistoryStatistics {
  const trades = tradesInPeriod(input.trades, input);
  let startingEquity = input.startingEquity;
  if (startingEquity === undefined) {
    if (input.equityNow === undefined) throw new Error('the starting equity is needed (or the equity now, to work it out)');
    const realizedSince = tradesInPeriod(input.trades, { since: input.since }).reduce((total, trade) => total.plus(trade.realizedPnl), ZERO);
    startingEquity = decimal(input.equityNow).minus(realizedSince).toFixed();
  }
  if (!decimal(startingEquity).gt(ZERO)) throw new Error(`the starting equity must be above 0, got ${startingEquity}`);
  const start = input.since ?? trades.reduce((earliest, trade) => Math.min(earliest, trade.entryTime), trades[0]?.entryTime ?? 0);
  const end = input.until ?? trades.reduce((latest, trade) => Math.max(latest, trade.exitTime), start);
  const equity = realizedEquityCurve(trades, startingEquity, start);
  return { startingEquity, start, end: Math.max(start, end), trades, statistics: computeStatistics({ trades, equity, start, end: Math.max(start, end) }) };
}

/** The report of a history: trades as the fills of the price chart (entries and exits), the realized curve. */
export function buildHistoryReport(input: { readonly history: HistoryStatistics; readonly title: string; readonly quote: string; readonly execution: ExecutionSummary; readonly executionByAlgorithm?: readonly AlgorithmExecution[]; readonly openPositions: number; readonly source: string }): Report {
  const { history } = input;
  const curve = realizedEquityCurve(history.trades, history.startingEquity, history.start);
  let peak = ZERO;
  const equity = curve.map((point) => {
    const value = decimal(point.equity);
    if (value.gt(peak)) peak = value;
    const drawdown = peak.minus(value);
    return { ...point, drawdown: drawdown.toFixed(), drawdownFraction: peak.gt(ZERO) ? drawdown.div(peak).round(10).toFixed() : '0' };
  });
  const fills = history.trades.flatMap((trade) => [
    { time: trade.entryTime, symbol: trade.symbol, orderId: `${trade.id} entry`, side: trade.side, orderType: 'entry', price: trade.entryPrice, quantity: trade.quantity, fee: '0', liquidity: 'taker' as const },
    { time: trade.exitTime, symbol: trade.symbol, orderId: `${trade.id} exit`, side: trade.side === 'buy' ? ('sell' as const) : ('buy' as const), orderType: trade.exitReason, price: trade.exitPrice, quantity: trade.quantity, fee: '0', liquidity: 'taker' as const },
  ]);
  const prices: Record<string, { time: number; price: string }[]> = {};
  for (const fill of [...fills].sort((a, b) => a.time - b.time)) (prices[fill.symbol] ??= []).push({ time: fill.time, price: fill.price });
  return {
    format: REPORT_FORMAT,
    source: 'history',
    title: input.title,
    strategy: input.source,
    quote: input.quote,
    data: [],
    rows: 0,
    warnings: ['a history report measures equity on realized PnL only (at each trade exit): open positions and prices between trades are not in the curve'],
    statistics: history.statistics,
    equity,
    prices,
    fills,
    stops: [],
    takeProfits: [],
    marksDropped: 0,
    trades: history.trades,
    bySymbol: groupTrades(history.trades, 'symbol'),
    byExitReason: groupTrades(history.trades, 'exitReason'),
    execution: { overall: input.execution, byKind: [], byAlgorithm: input.executionByAlgorithm ?? [] },
    openPositions: input.openPositions,
  };
}
