// `fillstate report --since --offline`: a daemon's history read straight from its data directory's SQLite store
// (read-only), so a report needs no running daemon. The same functions as GET /v1/performance make the figures.
import path from 'node:path';
import Database from 'better-sqlite3';
import { ExecutionTracker, type ExecutionEvent } from '../analytics/execution-tracker.ts';
import { tradeRecordOfPosition, type PositionTradeFigures, type TradeRecord } from '../analytics/trade-record.ts';
import { type DecimalString } from '../domain/decimal.ts';
import { equity as ledgerEquity, type Ledger } from '../domain/ledger.ts';
import { inspectExistingFile, StoreOpenError } from '../store/inspect.ts';
import { buildHistoryReport, historyStatistics, type HistoryPeriod } from './history.ts';
import type { Report } from './report.ts';

/** The daemon's SQLite file in its data directory (src/daemon/daemon.ts writes it under this name). */
export const STORE_FILE_NAME = 'fillstate.db';

export class StoreHistoryError extends Error {
  override name = 'StoreHistoryError';
}

export interface StoreHistoryOptions extends HistoryPeriod {
  readonly dataDir: string;
  /** The currency equity and PnL are in (the daemon's default venue's quote). */
  readonly quote: string;
  /** The instruments the ledger's currencies are valued through: base -> price in `quote` comes from their fills. */
  readonly instruments?: readonly { readonly symbol: string; readonly base: string; readonly quote: string }[];
  /** Equity when the period began; when absent, the equity at the last fills less the realized PnL since. */
  readonly startingEquity?: DecimalString;
}

/** What the store holds for a history report. */
export interface StoreHistory {
  readonly trades: readonly TradeRecord[];
  readonly ledger: Ledger | undefined;
  /** The last fill price per symbol. */
  readonly lastPrices: Readonly<Record<string, DecimalString>>;
  readonly openPositions: number;
  readonly tracker: ExecutionTracker;
  /** Orders whose journal entry had no arrival price (written before it was journaled): the last fill stood in. */
  readonly estimatedArrivals: number;
}

/**
 * Reads the store read-only. A daemon may be running on it (SQLite's WAL lets a reader see the last commit) or
 * stopped; nothing in the file is changed. A file that is not a fillstate store is refused with the reason.
 */
export function readStoreHistory(dataDir: string): StoreHistory {
  const file = path.join(path.resolve(dataDir), STORE_FILE_NAME);
  const existing = inspectExistingFile(file);
  if (existing.kind !== 'fillstate') throw new StoreHistoryError(`there is no fillstate store at ${file}: ${existing.kind === 'absent' ? 'the file does not exist' : 'the file is empty'} (is --data-dir the daemon's data directory?)`);
  let database: Database.Database;
  try {
    database = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreOpenError(file, `SQLite could not open it read-only: ${(error as Error).message}`);
  }
  try {
    // One read transaction: trades, ledger and journal as of one commit, even while a daemon writes.
    return database.transaction(() => readHistory(database))();
  } finally {
    database.close();
  }
}

function readHistory(database: Database.Database): StoreHistory {
  // Closed positions in the order the engine restores them (src/store closedPositionSnapshots).
  const closed = database
    .prepare("SELECT s.snapshot FROM positions p JOIN snapshots s ON s.actor_id = 'position:' || p.position_id WHERE p.status = 'closed' ORDER BY p.rowid")
    .pluck()
    .all() as string[];
  const trades: TradeRecord[] = [];
  for (const text of closed) {
    const record = tradeRecordOfPosition((JSON.parse(text) as { context: PositionTradeFigures }).context);
    if (record !== undefined) trades.push(record);
  }
  const portfolio = database.prepare("SELECT snapshot FROM snapshots WHERE actor_id = 'portfolio'").pluck().get() as string | undefined;
  const ledger = portfolio === undefined ? undefined : (JSON.parse(portfolio) as { context: { ledger: Ledger } }).context.ledger;
  const lastPrices: Record<string, DecimalString> = {};
  for (const row of database.prepare('SELECT symbol, price FROM fills WHERE id IN (SELECT MAX(id) FROM fills GROUP BY symbol) ORDER BY symbol').all() as Array<{ symbol: string; price: string }>) {
    lastPrices[row.symbol] = row.price;
  }
  const openPositions = database.prepare("SELECT COUNT(*) FROM positions WHERE status != 'closed'").pluck().get() as number;

  // Execution quality from the journal, through the tracker the engine uses: each OrderSubmitted carries the
  // arrival price the engine measured (none: it had no market price, as live). Orders journaled before the
  // engine wrote it (before the first event that has one) get the last fill price on the symbol before them,
  // counted so the report can say so.
  const replayPrices = new Map<string, DecimalString>();
  let arrivalsJournaled = false;
  let estimatedArrivals = 0;
  const tracker = new ExecutionTracker((symbol, venue) => {
    if (arrivalsJournaled) return undefined;
    const price = replayPrices.get(`${venue}\u0000${symbol}`);
    if (price !== undefined) estimatedArrivals++;
    return price;
  });
  for (const payload of database.prepare('SELECT payload FROM journal ORDER BY sequence').pluck().iterate() as IterableIterator<string>) {
    const event = JSON.parse(payload) as ExecutionEvent;
    if (event.type === 'OrderSubmitted' && event.arrivalPrice !== undefined) arrivalsJournaled = true;
    // Algorithms' events too, once the engine journals them: their children are then grouped per algorithm.
    tracker.observe(event);
    if (event.type === 'OrderFilled') replayPrices.set(`${event.venue}\u0000${event.symbol}`, event.fillPrice);
  }
  return { trades, ledger, lastPrices, openPositions, tracker, estimatedArrivals };
}

/** The report of the store's history: the figures GET /v1/performance gives for the same trades and equity. */
export function storeHistoryReport(options: StoreHistoryOptions): Report {
  const stored = readStoreHistory(options.dataDir);
  const warnings: string[] = [];
  let equityNow: DecimalString | undefined;
  if (options.startingEquity === undefined) {
    if (stored.ledger === undefined) throw new StoreHistoryError('the store has no account yet (no portfolio snapshot): pass --starting-equity');
    const prices: Record<string, DecimalString> = {};
    const valuedAt: string[] = [];
    for (const instrument of options.instruments ?? []) {
      const price = stored.lastPrices[instrument.symbol];
      if (instrument.quote !== options.quote || price === undefined) continue;
      prices[instrument.base] = price;
      if ((stored.ledger.balances[instrument.base]?.total ?? '0') !== '0') valuedAt.push(`${instrument.base} at ${price}`);
    }
    try {
      equityNow = ledgerEquity(stored.ledger, options.quote, prices);
    } catch (error) {
      throw new StoreHistoryError(`the equity cannot be worked out from the store (${(error as Error).message}): pass --starting-equity`);
    }
    if (valuedAt.length > 0) warnings.push(`the equity values ${valuedAt.join(', ')} ${options.quote}: the last fill prices in the store (a running daemon values at its last market price)`);
  }
  let history;
  try {
    history = historyStatistics({ trades: stored.trades, equityNow, startingEquity: options.startingEquity, since: options.since, until: options.until });
  } catch (error) {
    throw new StoreHistoryError((error as Error).message);
  }
  const report = buildHistoryReport({
    history,
    title: `history of ${path.resolve(options.dataDir)}`,
    quote: options.quote,
    execution: stored.tracker.summary(),
    executionByAlgorithm: stored.tracker.summaryByAlgorithm(),
    openPositions: stored.openPositions,
    source: 'store',
  });
  return {
    ...report,
    warnings: [
      ...report.warnings,
      ...warnings,
      ...(stored.estimatedArrivals === 0
        ? []
        : [`execution quality: ${stored.estimatedArrivals} order(s) were journaled without their arrival price (an older version wrote them): the last fill price on the symbol before each stands in`]),
    ],
  };
}
