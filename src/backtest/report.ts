// The report of a run or of a daemon's history, as JSON: the figures the HTML page draws, decimal strings for
// money, nothing that depends on the wall clock or the machine (so the same run gives the same bytes).
import { summarizeByAlgorithm, summarizeExecution, type AlgorithmExecution, type ExecutionRecord, type ExecutionSummary } from '../analytics/execution.ts';
import { computeStatistics, groupTrades, type ReportStatistics, type TradeGroupRow } from '../analytics/report-statistics.ts';
import type { TradeRecord } from '../analytics/trade-record.ts';
import { decimal, ZERO, type DecimalString } from '../domain/decimal.ts';
import type { FillMark, LevelMark } from './recorder.ts';

export const REPORT_FORMAT = 'fillstate-report/1';

export interface EquityRow {
  readonly time: number;
  readonly equity: DecimalString;
  /** Below the running peak, in the quote currency (>= 0) and as a fraction of the peak. */
  readonly drawdown: DecimalString;
  readonly drawdownFraction: DecimalString;
}

export interface ExecutionGroup {
  /** The order kind: its type, and whether a position placed it (entries, stops, take-profits, exits). */
  readonly kind: string;
  readonly summary: ExecutionSummary;
}

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly source: 'backtest' | 'history';
  readonly title: string;
  readonly strategy: string;
  /** The currency equity and PnL are in. */
  readonly quote: string;
  readonly data: readonly string[];
  readonly rows: number;
  readonly warnings: readonly string[];
  readonly statistics: ReportStatistics;
  readonly equity: readonly EquityRow[];
  readonly prices: Readonly<Record<string, readonly { readonly time: number; readonly price: DecimalString }[]>>;
  readonly fills: readonly FillMark[];
  readonly stops: readonly LevelMark[];
  readonly takeProfits: readonly LevelMark[];
  /** Fills, stops and take-profits left out of the charts past their limit (never out of the statistics). */
  readonly marksDropped: number;
  readonly trades: readonly TradeRecord[];
  readonly bySymbol: readonly TradeGroupRow[];
  readonly byExitReason: readonly TradeGroupRow[];
  readonly execution: {
    readonly overall: ExecutionSummary;
    readonly byKind: readonly ExecutionGroup[];
    /** Per execution algorithm (twap, vwap, ...), orders placed without one as "direct". */
    readonly byAlgorithm: readonly AlgorithmExecution[];
  };
  readonly openPositions: number;
}

export interface ReportInput {
  readonly source: Report['source'];
  readonly title: string;
  readonly strategy: string;
  readonly quote: string;
  readonly data: readonly string[];
  readonly rows: number;
  readonly warnings: readonly string[];
  readonly equity: readonly { readonly time: number; readonly equity: DecimalString; readonly prices?: Readonly<Record<string, DecimalString>> }[];
  readonly trades: readonly TradeRecord[];
  readonly fills: readonly FillMark[];
  readonly stops: readonly LevelMark[];
  readonly takeProfits: readonly LevelMark[];
  readonly marksDropped: number;
  readonly executions: readonly ExecutionRecord[];
  /** Order kind per order id, for the execution table. */
  readonly orderKinds: ReadonlyMap<string, string>;
  readonly openPositions: number;
  /** The period; the curve's first and last times when absent. */
  readonly start?: number;
  readonly end?: number;
}

export function buildReport(input: ReportInput): Report {
  if (input.equity.length === 0) throw new Error('there is nothing to report: no equity was measured (no market data in the period?)');
  const start = input.start ?? input.equity[0]!.time;
  const end = input.end ?? input.equity[input.equity.length - 1]!.time;
  const statistics = computeStatistics({ trades: input.trades, equity: input.equity, start, end });
  let peak = ZERO;
  const equity = input.equity.map((point) => {
    const value = decimal(point.equity);
    if (value.gt(peak)) peak = value;
    const drawdown = peak.minus(value);
    return { time: point.time, equity: point.equity, drawdown: drawdown.toFixed(), drawdownFraction: peak.gt(ZERO) ? drawdown.div(peak).round(10).toFixed() : '0' };
  });
  const prices: Record<string, { time: number; price: DecimalString }[]> = {};
  for (const point of input.equity) {
    for (const [symbol, price] of Object.entries(point.prices ?? {})) (prices[symbol] ??= []).push({ time: point.time, price });
  }
  const kinds = new Map<string, ExecutionRecord[]>();
  for (const record of input.executions) {
    const kind = input.orderKinds.get(record.orderId) ?? 'unknown';
    const group = kinds.get(kind);
    if (group === undefined) kinds.set(kind, [record]);
    else group.push(record);
  }
  return {
    format: REPORT_FORMAT,
    source: input.source,
    title: input.title,
    strategy: input.strategy,
    quote: input.quote,
    data: input.data,
    rows: input.rows,
    warnings: input.warnings,
    statistics,
    equity,
    prices,
    fills: input.fills,
    stops: input.stops,
    takeProfits: input.takeProfits,
    marksDropped: input.marksDropped,
    trades: input.trades,
    bySymbol: groupTrades(input.trades, 'symbol'),
    byExitReason: groupTrades(input.trades, 'exitReason'),
    execution: {
      overall: summarizeExecution(input.executions),
      byKind: [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kind, records]) => ({ kind, summary: summarizeExecution(records) })),
      byAlgorithm: summarizeByAlgorithm(input.executions),
    },
    openPositions: input.openPositions,
  };
}

/** The report as the JSON file holds it: two-space indented, one trailing newline. */
export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Reads a report file's JSON back, refusing anything that is not one. */
export function parseReport(text: string, where: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== REPORT_FORMAT) {
    throw new Error(`${where} is not a fillstate report (its "format" is not ${REPORT_FORMAT})`);
  }
  return value as Report;
}
