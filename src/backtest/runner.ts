// `fillstate backtest`: data files streamed in time order through the paper venue and the engine on a
// simulated clock, a strategy module driving it, and the journal and report written at the end. The same
// inputs give the same bytes: nothing reads the wall clock, and every tie is broken by a fixed order.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { availableAt } from '../../adapters/market-data/bars.ts';
import { catalogDataFiles, listDataFiles, mergeDataFiles, type DataCatalog } from '../../adapters/market-data/data-files.ts';
import { inferredInstrumentSpec } from '../../adapters/market-data/infer-instrument.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../domain/clock.ts';
import { createInstrument, type Instrument, type InstrumentSpec } from '../domain/instrument.ts';
import { createEngine } from '../engine/engine.ts';
import type { BacktestConfig } from './config.ts';
import { demoStrategy } from './demo-strategy.ts';
import { createProgress, type ProgressOptions } from './progress.ts';
import { RunRecorder } from './recorder.ts';
import { DEFAULT_IMPLIED_QUOTE_QUANTITY, impliedQuote } from './implied-quotes.ts';
import { decimal } from '../domain/decimal.ts';
import { buildReport, reportJson, type Report } from './report.ts';
import { renderReportHtml } from './report-html.ts';
import { loadStrategy, type Strategy, type StopStrategy } from './strategy.ts';

export interface BacktestOptions {
  /** Files and folders of market data. */
  readonly data: readonly string[];
  /** A strategy module's path; the demo signal source when neither this nor `strategy` is given. */
  readonly strategyPath?: string;
  readonly strategy?: Strategy & { readonly name: string };
  readonly config?: BacktestConfig;
  /** Only ticks from `from` up to `to` (epoch ms, both included) are replayed. */
  readonly from?: number;
  readonly to?: number;
  /** Where journal.jsonl, report.json and report.html go; nothing is written without it. */
  readonly outDir?: string;
  /** Where progress goes (stderr in the CLI); none when absent. */
  readonly progress?: ProgressOptions['stream'];
  /** Told each warning (inferred instruments, ...). */
  readonly warn?: (message: string) => void;
}

export interface BacktestResult {
  readonly report: Report;
  readonly rows: number;
  readonly events: number;
  readonly files: { readonly journal?: string; readonly json?: string; readonly html?: string };
}

const DEFAULT_QUOTE_BALANCE = '100000';
/** After the last tick, simulated time runs on this long so reports in flight arrive. */
const SETTLE_MS = 1_000;
const PROGRESS_EVERY_ROWS = 4_096;
/**
 * The paper venue tracks what changed (every order touched, every fill) until its state is saved; nothing saves
 * it in a replay, so the changes are taken and dropped this often, or they would hold every order of the run.
 */
const DRAIN_VENUE_CHANGES_EVERY_ROWS = 4_096;
const JOURNAL_BUFFER_BYTES = 1 << 20;
/** Finished orders the engine and the venue keep in a replay: a strategy asking about its latest orders finds them. */
const FINISHED_ORDERS_KEPT = 100;

export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const config = options.config ?? {};
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.warn?.(message);
  };
  if (options.from !== undefined && options.to !== undefined && options.to < options.from) throw new Error(`--to (${new Date(options.to).toISOString()}) is before --from (${new Date(options.from).toISOString()})`);
  const strategy = options.strategy ?? (options.strategyPath !== undefined ? await loadStrategy(options.strategyPath) : demoStrategy);

  const files = await listDataFiles(options.data);
  const catalog = await catalogDataFiles(files, config.data ?? {});
  const instruments = resolveInstruments(catalog, config, warn);
  const firstTime = catalog.files.find((file) => file.firstTime !== undefined)?.firstTime;
  if (firstTime === undefined) throw new Error(`the data files hold no rows: ${files.join(', ')}`);
  const startTime = Math.max(firstTime, options.from ?? -Infinity);

  const clock = new SimulatedClock(startTime);
  const quote = instruments[0]!.quote;
  const balances = config.balances ?? Object.fromEntries([...new Set(instruments.map((instrument) => instrument.quote))].map((currency) => [currency, DEFAULT_QUOTE_BALANCE]));
  const venue = new PaperVenue({
    clock,
    instruments,
    balances,
    orderLatencyMs: config.venue?.orderLatencyMs ?? 5,
    reportLatencyMs: config.venue?.reportLatencyMs ?? 5,
    marketDataLatencyMs: config.venue?.marketDataLatencyMs,
    fillModel: config.venue?.fillModel,
    nativeStops: config.venue?.nativeStops,
    perpetuals: config.venue?.perpetuals,
    // Nobody queries old orders' status in a replay (no restart, no reconciliation): kept few, so memory is
    // flat from early in the run.
    retainFinishedOrders: FINISHED_ORDERS_KEPT,
  });
  const engine = createEngine({
    venues: [venue],
    clock,
    clientOrderIdPrefix: 'bt',
    risk: config.risk,
    signals: config.signals,
    // The journal goes to journal.jsonl as it happens; nobody reads events back, so the engine keeps few.
    eventHistory: 1_000,
    // Finished orders' views getOrder and listOrders answer from; the report has every order from the events.
    finishedOrdersKept: FINISHED_ORDERS_KEPT,
    logger: pino({ level: 'error', base: { component: 'engine' } }, pino.destination({ fd: 2, sync: true })),
  });
  await engine.start();

  const recorder = new RunRecorder({
    engine,
    quote,
    symbols: instruments.map((instrument) => instrument.symbol),
    sampleEveryMs: config.report?.sampleEveryMs ?? 60_000,
    maxPoints: config.report?.maxPoints ?? 4_000,
  });
  const journal = options.outDir === undefined ? undefined : new JournalFile(prepareOutDir(options.outDir));
  let events = 0;
  engine.subscribe((event) => {
    events++;
    recorder.observe(event);
    journal?.append(JSON.stringify(event));
  });

  // Symbols with no quotes or book data get a quote implied by each trade (tick size by symbol).
  const withBook = new Set<string>();
  for (const file of catalog.files) if (file.kind === 'quotes' || file.kind === 'incremental_book_L2') for (const symbol of file.symbols) withBook.add(symbol);
  const impliedBook = new Map(instruments.filter((instrument) => !withBook.has(instrument.symbol)).map((instrument) => [instrument.symbol, instrument.tickSize]));
  const impliedQuantity = decimal(config.data?.impliedQuoteQuantity ?? DEFAULT_IMPLIED_QUOTE_QUANTITY);
  if (impliedBook.size > 0) {
    warn(`${[...impliedBook.keys()].join(', ')}: no quotes in the data; each trade implies a one-level quote of ${impliedQuantity.toFixed()} a side around it (data.impliedQuoteQuantity)`);
  }

  let stopStrategy: void | StopStrategy;
  let rows = 0;
  const progress = options.progress === undefined ? undefined : createProgress({ stream: options.progress, startTime, endTime: estimatedEnd(catalog, options.to) });
  try {
    stopStrategy = await strategy.start({
      engine,
      clock,
      instruments,
      settings: config.strategy ?? {},
      subscribeMarketData: (symbols, listener) => venue.subscribeMarketData(symbols, listener),
      log: (message) => options.warn?.(`strategy: ${message}`),
    });
    replay: for await (const batch of mergeDataFiles(catalog.files)) {
      for (const tick of batch) {
        const time = availableAt(tick);
        if (options.from !== undefined && time < options.from) continue;
        if (options.to !== undefined && time > options.to) break replay;
        clock.advanceTo(time);
        if (tick.type === 'trade') {
          const implied = impliedBook.get(tick.symbol);
          if (implied !== undefined) venue.onMarketData(impliedQuote(tick, implied, impliedQuantity));
        }
        venue.onMarketData(tick);
        recorder.afterTick(time);
        rows++;
        if (rows % DRAIN_VENUE_CHANGES_EVERY_ROWS === 0) venue.takeChanges();
        if (progress !== undefined && rows % PROGRESS_EVERY_ROWS === 0) progress.update({ rows, simulatedTime: time });
      }
    }
    clock.advanceBy(SETTLE_MS);
    if (typeof stopStrategy === 'function') await stopStrategy();
    recorder.finish(clock.now());
  } finally {
    progress?.done({ rows, simulatedTime: clock.now() });
    await engine.stop();
    journal?.close();
  }
  if (rows === 0) throw new Error(`no market data between ${new Date(options.from ?? startTime).toISOString()} and ${options.to === undefined ? 'the end' : new Date(options.to).toISOString()}`);

  const orderKinds = new Map<string, string>();
  for (const [orderId, order] of recorder.orders) orderKinds.set(orderId, order.forPosition ? `${order.orderType} (position)` : order.orderType);
  const report = buildReport({
    source: 'backtest',
    title: `${strategy.name} on ${instruments.map((instrument) => instrument.symbol).join(', ')}`,
    strategy: strategy.name,
    quote,
    data: files,
    rows,
    warnings,
    equity: recorder.points(),
    trades: engine.trades(),
    fills: recorder.fills,
    stops: recorder.stops,
    takeProfits: recorder.takeProfits,
    marksDropped: recorder.droppedMarks,
    executions: recorder.execution.records(),
    orderKinds,
    openPositions: engine.listPositions({ open: true }).length,
  });
  const written: { journal?: string; json?: string; html?: string } = {};
  if (options.outDir !== undefined) {
    written.journal = path.join(options.outDir, 'journal.jsonl');
    written.json = path.join(options.outDir, 'report.json');
    written.html = path.join(options.outDir, 'report.html');
    writeFileSync(written.json, reportJson(report));
    writeFileSync(written.html, renderReportHtml(report));
  }
  return { report, rows, events, files: written };
}

/** Instruments from the config; the rest inferred from the data, each with a warning saying what was assumed. */
function resolveInstruments(catalog: DataCatalog, config: BacktestConfig, warn: (message: string) => void): Instrument[] {
  const configured = new Map((config.instruments ?? []).map((spec) => [spec.symbol, spec]));
  const specs: InstrumentSpec[] = [];
  for (const [symbol, assets] of catalog.symbols) {
    const spec = configured.get(symbol);
    if (spec !== undefined) {
      specs.push(spec);
      continue;
    }
    const steps = catalog.decimals.steps(symbol);
    if (assets === undefined || steps === undefined) {
      throw new Error(`no instrument for ${symbol}: its base and quote assets cannot be told from its name; add it to the config's instruments`);
    }
    const inferred = inferredInstrumentSpec(assets, steps, { makerFee: config.fees?.maker, takerFee: config.fees?.taker });
    warn(
      `${symbol}: no instrument in the config, inferred from the data: tick ${inferred.tickSize} and lot ${inferred.lotSize} from the most decimals in its first ` +
        `${Math.min(catalog.decimals.rows(symbol), catalog.sampleRows).toLocaleString('en-US')} rows, fees ${inferred.makerFee} maker / ${inferred.takerFee} taker; name it in the config to be exact`,
    );
    specs.push(inferred);
  }
  for (const symbol of configured.keys()) {
    if (!catalog.symbols.has(symbol)) warn(`${symbol} is in the config's instruments but not in the data: it is listed but will have no market data`);
  }
  for (const spec of configured.values()) if (!catalog.symbols.has(spec.symbol)) specs.push(spec);
  if (specs.length === 0) throw new Error('no instruments: the data names no symbol and the config lists none');
  return specs.map(createInstrument);
}

/** When the run will end: --to, or one file's span after the last file starts (daily files), else unknown. */
function estimatedEnd(catalog: DataCatalog, to: number | undefined): number | undefined {
  if (to !== undefined) return to;
  const starts = [...new Set(catalog.files.map((file) => file.firstTime).filter((time): time is number => time !== undefined))].sort((a, b) => a - b);
  if (starts.length < 2) return undefined;
  return starts[starts.length - 1]! + (starts[starts.length - 1]! - starts[starts.length - 2]!);
}

function prepareOutDir(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  return path.join(outDir, 'journal.jsonl');
}

/** The run's domain events, one JSON line each, written in 1 MiB pieces so memory stays flat. */
class JournalFile {
  private readonly descriptor: number;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(file: string) {
    this.descriptor = openSync(file, 'w');
  }

  append(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= JOURNAL_BUFFER_BYTES) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.descriptor);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.descriptor, `${this.pending.join('\n')}\n`);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
