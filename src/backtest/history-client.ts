// `fillstate report --since`: a daemon's history read through its API and made into a report with the same
// functions GET /v1/performance answers with.
import type { AlgorithmExecution, ExecutionSummary } from '../analytics/execution.ts';
import type { ReportStatistics } from '../analytics/report-statistics.ts';
import type { TradeRecord } from '../analytics/trade-record.ts';
import type { DaemonClient } from '../daemon/client.ts';
import { buildHistoryReport, historyStatistics, type HistoryPeriod } from './history.ts';
import type { Report } from './report.ts';

interface PerformanceAnswer {
  readonly quote?: string;
  readonly startingEquity: string;
  readonly start: number;
  readonly end: number;
  readonly statistics: ReportStatistics;
  readonly execution: ExecutionSummary;
  /** Per algorithm, from a daemon that answers with it. */
  readonly executionByAlgorithm?: readonly AlgorithmExecution[];
}

export async function fetchHistoryReport(client: DaemonClient, period: HistoryPeriod & { readonly startingEquity?: string }): Promise<Report> {
  const query: Record<string, string | undefined> = { since: period.since?.toString(), until: period.until?.toString(), startingEquity: period.startingEquity };
  const performance = await client.get<PerformanceAnswer>('/v1/performance', query);
  const { trades } = await client.get<{ trades: TradeRecord[] }>('/v1/trades');
  const { account } = await client.get<{ account: { openPositions: number } }>('/v1/account');
  // The daemon's starting equity and period, so a trade closing between the two requests cannot shift them.
  const history = historyStatistics({ trades, startingEquity: performance.startingEquity, since: performance.start, until: period.until ?? performance.end });
  return buildHistoryReport({ history, title: `history of ${client.url}`, quote: performance.quote ?? '', execution: performance.execution, executionByAlgorithm: performance.executionByAlgorithm, openPositions: account.openPositions, source: 'daemon' });
}
