// `fillstate report --since --offline`: a daemon's history read from its data directory's SQLite store, while
// the daemon runs and after it stopped, gives the figures GET /v1/performance and the API report give.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { fetchHistoryReport } from '../../src/backtest/history-client.ts';
import { STORE_FILE_NAME, storeHistoryReport } from '../../src/backtest/history-store.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { DaemonClient } from '../../src/daemon/client.ts';
import { DATABASE_FILE_NAME } from '../../src/daemon/daemon.ts';
import { createServer, type RunningServer } from '../../src/daemon/server.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { bookAround, INSTRUMENT, SYMBOL, TOKEN } from '../daemon/fixture.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-history-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Daemon {
  readonly clock: SimulatedClock;
  readonly engine: Engine;
  readonly store: Store;
  readonly server: RunningServer;
  readonly client: DaemonClient;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** The daemon's parts on a simulated clock: paper venue, engine journaling to <dataDir>/fillstate.db, HTTP API. */
async function startDaemon(name: string, balances: Record<string, string>): Promise<Daemon> {
  const dataDir = path.join(directory, name);
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new PaperVenue({ clock, instruments: [INSTRUMENT], balances });
  const store = openStore({ path: path.join(dataDir, DATABASE_FILE_NAME) });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 't', store });
  await engine.start();
  const server = await createServer({ engine, token: TOKEN, rateLimit: false, journal: store });
  const quote = (mid: string) => {
    venue.onMarketData(bookAround(mid, clock.now()));
    clock.advanceBy(1);
  };
  // Orders leave once their intent is committed to the store (after this turn): wait for it, then move time.
  const settle = async (ms: number) => {
    await store.whenCommitted();
    clock.advanceBy(ms);
    await store.whenCommitted();
  };
  quote('50000');
  /** A long of one BTC at market around `entry`, closed at market around `exit` ten minutes later. */
  const roundTrip = async (entry: string, exit: string) => {
    quote(entry);
    const { positionId } = engine.openPosition({ symbol: SYMBOL, direction: 'long', quantity: '1' });
    await settle(60_000);
    quote(exit);
    engine.closePosition(positionId, { reason: 'signal' });
    await settle(540_000);
  };
  await roundTrip('50000', '50100');
  await roundTrip('50100', '49950');
  await roundTrip('49950', '50300');
  store.flush();
  return {
    clock,
    engine,
    store,
    server,
    client: new DaemonClient({ url: server.url, token: TOKEN }),
    dataDir,
    async close() {
      await server.close();
      await engine.stop();
      store.flush();
      store.close();
    },
  };
}

const SINCE = Date.UTC(2026, 0, 1) + 600_000;

describe('report from the data directory (no daemon needed)', () => {
  let daemon: Daemon;
  beforeAll(async () => {
    // Quote currency only: the equity is the same however BTC is priced, so no figure depends on the valuation.
    daemon = await startDaemon('usdt-only', { USDT: '1000000' });
  });
  afterAll(async () => {
    await daemon?.close();
  });

  it('gives the statistics of /v1/performance and of the API report, while the daemon runs and after it stopped', async () => {
    expect(STORE_FILE_NAME).toBe(DATABASE_FILE_NAME);
    const performance = await daemon.client.get<{ startingEquity: string; start: number; end: number; statistics: unknown; performance: unknown; execution: unknown; executionByAlgorithm: unknown }>('/v1/performance', { since: String(SINCE) });
    const overHttp = await fetchHistoryReport(daemon.client, { since: SINCE });
    const whileRunning = storeHistoryReport({ dataDir: daemon.dataDir, quote: 'USDT', instruments: [INSTRUMENT], since: SINCE });
    expect(whileRunning.statistics).toEqual(performance.statistics);
    expect(whileRunning.statistics).toEqual(overHttp.statistics);
    expect(whileRunning.trades).toEqual(overHttp.trades);
    expect(whileRunning.equity).toEqual(overHttp.equity);
    expect(whileRunning.trades.map((trade) => trade.realizedPnl)).toEqual(['-350.3', '149.3']);
    expect(whileRunning.statistics).toMatchObject({ trades: 2, wins: 1, losses: 1, totalPnl: '-201' });
    expect(whileRunning.openPositions).toBe(0);
    // Execution quality as the live daemon measures it: each order's arrival price is journaled as it is sent
    // (the mid of the book then, not the last fill), so every order counts and slippage is the same figure.
    expect(whileRunning.execution.overall).toEqual(performance.execution);
    expect(whileRunning.execution.byAlgorithm).toEqual(performance.executionByAlgorithm);
    expect(whileRunning.execution.overall).toMatchObject({ orders: 6, filledOrders: 6, fillRate: '1' });
    expect(whileRunning.execution.overall.slippageBasisPoints).not.toBeNull();
    expect(whileRunning.warnings.join('\n')).not.toContain('arrival price');

    await daemon.close();
    const afterStop = storeHistoryReport({ dataDir: daemon.dataDir, quote: 'USDT', instruments: [INSTRUMENT], since: SINCE });
    expect(afterStop.statistics).toEqual(performance.statistics);
    expect(afterStop.equity).toEqual(overHttp.equity);
    expect(afterStop.execution.overall).toEqual(performance.execution);
  });

  it('reads a journal written before arrival prices were journaled with the last fill before each order, and says how many', async () => {
    const older = path.join(directory, 'older-journal');
    mkdirSync(older, { recursive: true });
    daemon.store.flush();
    const live = new Database(path.join(daemon.dataDir, STORE_FILE_NAME), { readonly: true });
    try {
      await live.backup(path.join(older, STORE_FILE_NAME));
    } finally {
      live.close();
    }
    const copy = new Database(path.join(older, STORE_FILE_NAME));
    try {
      const stripped = copy.prepare("UPDATE journal SET payload = json_remove(payload, '$.arrivalPrice') WHERE type = 'OrderSubmitted'").run();
      expect(stripped.changes).toBe(6);
    } finally {
      copy.close();
    }
    const report = storeHistoryReport({ dataDir: older, quote: 'USDT', instruments: [INSTRUMENT], since: SINCE });
    // The first order had no fill before it: left out, as the slippage of an order with no arrival price is.
    expect(report.execution.overall).toMatchObject({ orders: 5, filledOrders: 5, fillRate: '1' });
    expect(report.warnings.join('\n')).toContain('execution quality: 5 order(s) were journaled without their arrival price');
  });

  it('runs as `fillstate report --offline` and writes the HTML and JSON report; the store is left as it was', async () => {
    const file = path.join(daemon.dataDir, STORE_FILE_NAME);
    const before = readFileSync(file);
    const out = path.join(directory, 'offline-report');
    const configFile = path.join(directory, 'config.json');
    writeFileSync(configFile, JSON.stringify({ venue: { type: 'paper', instruments: [{ symbol: SYMBOL, base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.002' }], balances: { USDT: '1000000' } } }));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.resolve('bin/fillstate.mjs'), 'report', '--offline', '--since', new Date(SINCE).toISOString(), '--data-dir', daemon.dataDir, '--config', configFile, '--out', out, '--json'],
      { timeout: 60_000 },
    );
    const answer = JSON.parse(stdout) as { files: { html: string; json: string }; statistics: { trades: number; totalPnl: string } };
    expect(answer.statistics).toMatchObject({ trades: 2, totalPnl: '-201' });
    const report = JSON.parse(readFileSync(answer.files.json, 'utf8')) as { source: string; strategy: string; trades: unknown[] };
    expect(report).toMatchObject({ source: 'history', strategy: 'store' });
    expect(report.trades).toHaveLength(2);
    expect(readFileSync(answer.files.html, 'utf8')).toContain('<html');
    expect(readFileSync(file).equals(before)).toBe(true);
  }, 60_000);
});

describe('report from the data directory with a balance that needs a price', () => {
  it('values it at the last fill and says so; with the same starting equity the figures are the API\'s', async () => {
    const daemon = await startDaemon('with-btc', { USDT: '1000000', BTC: '10' });
    try {
      const performance = await daemon.client.get<{ statistics: unknown }>('/v1/performance', { since: String(SINCE), startingEquity: '1500000' });
      const offline = storeHistoryReport({ dataDir: daemon.dataDir, quote: 'USDT', instruments: [INSTRUMENT], since: SINCE, startingEquity: '1500000' });
      expect(offline.statistics).toEqual(performance.statistics);
      const valued = storeHistoryReport({ dataDir: daemon.dataDir, quote: 'USDT', instruments: [INSTRUMENT], since: SINCE });
      expect(valued.warnings.join('\n')).toContain('the equity values BTC at 50299.9 USDT: the last fill prices in the store');
      // Without the instrument there is no price for BTC: refused, with what to do.
      expect(() => storeHistoryReport({ dataDir: daemon.dataDir, quote: 'USDT', since: SINCE })).toThrow(/no price for BTC in USDT.*pass --starting-equity/);
    } finally {
      await daemon.close();
    }
  });

  it('refuses a directory without a store, naming the file', () => {
    const empty = path.join(directory, 'empty');
    expect(() => storeHistoryReport({ dataDir: empty, quote: 'USDT' })).toThrow(`there is no fillstate store at ${path.join(empty, STORE_FILE_NAME)}: the file does not exist`);
  });
});
