// The report commands: backtest (market data through the engine on simulated time), report --compare, and the
// daemon's history as a report, through its API or (--offline) from its store.
import { configuredVenues, loadConfig } from '../daemon/config.ts';
import type { DaemonClient } from '../daemon/client.ts';
import { EXIT, UsageError, type Values } from './command-line.ts';
import { overridesOf, timeOption } from './option-values.ts';
import { print } from './output.ts';

export async function backtest(values: Values, rest: readonly string[]): Promise<number> {
  const data = [...(values.data ?? []), ...rest];
  if (data.length === 0) throw new UsageError('backtest needs market data: --data <file or folder> (repeatable)');
  const [{ runBacktest }, { readBacktestConfig }] = await Promise.all([import('../backtest/runner.ts'), import('../backtest/config.ts')]);
  const config = values.config === undefined ? {} : readBacktestConfig(values.config);
  const outDir = values.out ?? 'backtest-report';
  const result = await runBacktest({
    data,
    strategyPath: values.strategy,
    config,
    from: await timeOption('from', values.from),
    to: await timeOption('to', values.to),
    outDir,
    progress: process.stderr,
    warn: (message) => process.stderr.write(`fillstate: warning: ${message}\n`),
  });
  const statistics = result.report.statistics;
  print(values.json === true, { files: result.files, rows: result.rows, events: result.events, statistics }, () =>
    [
      `${result.rows.toLocaleString('en-US')} rows, ${result.events.toLocaleString('en-US')} events, ${statistics.trades} trades`,
      `return ${statistics.totalReturn} (annualised ${statistics.annualizedReturn ?? '-'}), Sharpe ${statistics.sharpeRatio ?? '-'}, max drawdown ${statistics.maxDrawdown} ${result.report.quote}, win rate ${statistics.winRate ?? '-'}`,
      `report ${result.files.html}`,
      `json   ${result.files.json}`,
      `journal ${result.files.journal}`,
    ].join('\n'),
  );
  return EXIT.ok;
}

export async function compare(values: Values, rest: readonly string[]): Promise<number> {
  if (rest.length !== 2) throw new UsageError('report --compare needs two report files: fillstate report --compare a.json b.json');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const [{ parseReport }, { compareReports }, { renderComparisonHtml }] = await Promise.all([import('../backtest/report.ts'), import('../backtest/compare.ts'), import('../backtest/report-html.ts')]);
  const [a, b] = rest.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return parseReport(text, file);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }) as [Awaited<ReturnType<typeof parseReport>>, Awaited<ReturnType<typeof parseReport>>];
  const comparison = compareReports(a, b);
  const out = values.out ?? 'comparison.html';
  writeFileSync(out, renderComparisonHtml(comparison));
  print(values.json === true, { out, differences: comparison.differences }, () => `comparison ${out}\n${Object.entries(comparison.differences).map(([key, value]) => `  ${key.padEnd(22)} ${value}`).join('\n')}`);
  return EXIT.ok;
}

async function historyPeriod(values: Values, rest: readonly string[]): Promise<{ since?: number; until?: number; startingEquity?: string }> {
  if (rest.length > 0) throw new UsageError(`report takes no arguments (did you mean --compare?), got ${rest.join(' ')}`);
  const since = await timeOption('since', values.since);
  const until = await timeOption('until', values.until);
  if (since !== undefined && until !== undefined && until < since) throw new UsageError(`--until (${values.until}) is before --since (${values.since})`);
  const startingEquity = values['starting-equity'];
  if (startingEquity !== undefined && !/^\d+(\.\d+)?$/.test(startingEquity)) throw new UsageError(`--starting-equity must be a positive decimal amount such as 10000, got "${startingEquity}"`);
  return { since, until, startingEquity };
}

export async function historyReport(client: DaemonClient, values: Values, rest: readonly string[]): Promise<number> {
  const period = await historyPeriod(values, rest);
  const { fetchHistoryReport } = await import('../backtest/history-client.ts');
  return writeHistoryReport(values, await fetchHistoryReport(client, period));
}

/** The report read from the data directory's store: no daemon, the same figures. */
export async function storeReport(values: Values, rest: readonly string[]): Promise<number> {
  const period = await historyPeriod(values, rest);
  const { config } = loadConfig({ configPath: values.config, overrides: overridesOf(values) });
  const venue = configuredVenues(config)[0]!;
  const instruments = venue.type === 'paper' ? venue.instruments : [];
  const quote = values.quote ?? instruments[0]?.quote;
  if (quote === undefined) throw new UsageError(`the config's venue "${venue.id}" (${venue.type}) lists no instruments: pass --quote <currency> (and --starting-equity)`);
  const { storeHistoryReport } = await import('../backtest/history-store.ts');
  return writeHistoryReport(values, storeHistoryReport({ ...period, dataDir: config.dataDir, quote, instruments }));
}

async function writeHistoryReport(values: Values, report: Awaited<ReturnType<typeof import('../backtest/history-client.ts').fetchHistoryReport>>): Promise<number> {
  const { writeReportFiles } = await import('../backtest/report-files.ts');
  const files = writeReportFiles(values.out ?? 'history-report', report);
  print(values.json === true, { files, statistics: report.statistics, warnings: report.warnings }, () => `${report.statistics.trades} trades, return ${report.statistics.totalReturn}, max drawdown ${report.statistics.maxDrawdown} ${report.quote}\nreport ${files.html}\njson   ${files.json}`);
  return EXIT.ok;
}
