// Perpetual funding and liquidation across a restart from the store: a payment delivered again (a REST backfill
// after the restart) is not counted twice, the next one is counted once, and the engine's ledger stays equal to
// the paper venue's balances.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaperVenue, type PaperVenueOptions } from '../../adapters/paper/paper-venue.ts';
import type { AccountReport, AccountReportListener } from '../../adapters/venue.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const START = Date.UTC(2026, 0, 1);
const HOUR = 60 * 60 * 1000;
const PERP = createInstrument({
  symbol: 'BTC-PERP', kind: 'perpetual', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '0', makerFee: '0.0002', takerFee: '0.0005', leverage: '5',
});

/** The paper venue, able to deliver an account report again as a live venue's backfill after a reconnect would. */
class BackfillingPaperVenue extends PaperVenue {
  private readonly listeners = new Set<AccountReportListener>();
  readonly delivered: AccountReport[] = [];

  constructor(options: PaperVenueOptions) {
    super(options);
    super.onAccountReport((report) => this.delivered.push(report));
  }

  override onAccountReport(listener: AccountReportListener): () => void {
    this.listeners.add(listener);
    const detach = super.onAccountReport(listener);
    return () => {
      this.listeners.delete(listener);
      detach();
    };
  }

  redeliver(report: AccountReport): void {
    for (const listener of this.listeners) listener(report);
  }
}

let directory: string;
let path: string;
let clock: SimulatedClock;
let venue: BackfillingPaperVenue;
const running: Array<{ engine: Engine; store: Store }> = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-perpetuals-'));
  path = join(directory, 'fillstate.db');
  clock = new SimulatedClock(START);
  venue = new BackfillingPaperVenue({ clock, instruments: [PERP], balances: { USDT: '1000' }, perpetuals: { [PERP.symbol]: { leverage: '5', fundingRate: '0.0002', fundingIntervalMs: 4 * HOUR } } });
});

afterEach(async () => {
  for (const { engine, store } of running.splice(0)) {
    if (store.isOpen) {
      await engine.stop();
      store.close();
    }
  }
  rmSync(directory, { recursive: true, force: true });
});

function book(bid: string, ask: string): void {
  venue.onMarketData({ type: 'quote', symbol: PERP.symbol, timestamp: clock.now(), bids: [{ price: decimal(bid), quantity: decimal('100') }], asks: [{ price: decimal(ask), quantity: decimal('100') }] });
}

/** Lets the venue act (zero-latency timers) and the engine's group commit run. */
async function settle(): Promise<void> {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  await turn();
  clock.advanceBy(1);
  await turn();
  await turn();
}

async function boot(prefix: string) {
  const store = openStore({ path });
  const engine = createEngine({ venues: [venue], clock, store, clientOrderIdPrefix: prefix, logger: pino({ level: 'silent' }) });
  running.push({ engine, store });
  await engine.start();
  book('199.99', '200.01');
  await settle();
  return { engine, store };
}

async function venueUsdt(): Promise<{ total: string; reserved: string }> {
  const found = (await venue.balances()).find((balance) => balance.currency === 'USDT')!;
  return { total: found.total, reserved: found.reserved };
}

describe('perpetual funding across a restart', () => {
  it('a payment delivered again after a restart is not counted twice; the next is counted once', async () => {
    const a = await boot('a');
    const { positionId } = a.engine.openPosition({ symbol: PERP.symbol, direction: 'short', quantity: '0.5' });
    await settle();
    // Sold 0.5 at 199.99: fee 0.0499975, margin 99.995 / 5 = 19.999.
    expect(a.engine.account('USDT').balances.USDT).toEqual({ total: '999.9500025', reserved: '19.999' });
    // 04:00 at mark 200: received 0.5 x 200 x 0.0002 = 0.02.
    clock.advanceTo(START + 4 * HOUR);
    await settle();
    expect(a.engine.getPosition(positionId)).toMatchObject({ funding: '0.02' });
    const first = venue.delivered.find((report) => report.type === 'funding')!;
    await a.engine.stop();
    a.store.close();

    const b = await boot('b');
    expect(b.engine.recoveryReport()).toMatchObject({ restoredPositions: 1, restoredPortfolio: true, balanceDifferences: {} });
    expect(b.engine.recoveryReport()!.venues[0]!.discrepancies).toEqual([]);
    // The venue delivers the 04:00 payment again (a backfill after the reconnect): already counted.
    venue.redeliver(first);
    await settle();
    expect(b.engine.getPosition(positionId)).toMatchObject({ funding: '0.02' });
    expect(b.engine.account('USDT').balances.USDT).toEqual({ total: '999.9700025', reserved: '19.999' });
    // 08:00 at mark 210: received 0.5 x 210 x 0.0002 = 0.021, once.
    book('209.99', '210.01');
    clock.advanceTo(START + 8 * HOUR);
    await settle();
    expect(b.engine.getPosition(positionId)).toMatchObject({ funding: '0.041' });
    expect(b.engine.account('USDT').balances.USDT).toEqual({ total: '999.9910025', reserved: '19.999' });
    expect(b.engine.account('USDT').balances.USDT).toEqual(await venueUsdt());
    expect(b.engine.eventsSince(0, 10_000).filter((event) => event.type === 'FundingSettled').map((event) => event.type === 'FundingSettled' && event.amount)).toEqual(['0.02', '0.021']);

    // And after one more restart the closed trade keeps its funding in its net PnL.
    b.engine.closePosition(positionId);
    await settle();
    // Bought back at 210.01: fee 0.0525025, realized 99.995 - 105.005 = -5.01. Net -5.01 - 0.1025 + 0.041 = -5.0715.
    await b.engine.stop();
    b.store.close();
    const c = await boot('c');
    expect(c.engine.trades()).toEqual([expect.objectContaining({ id: positionId, funding: '0.041', fees: '0.1025', realizedPnl: '-5.0715' })]);
    expect(c.engine.account('USDT').balances.USDT).toEqual({ total: '994.9285', reserved: '0' });
    expect(c.engine.account('USDT').balances.USDT).toEqual(await venueUsdt());
  });
});

describe('portfolio snapshots of the version before margin positions', () => {
  it('a version 4 snapshot (a ledger with no perpetual positions) restores as it is; an older one is refused with the reason', async () => {
    const a = await boot('a');
    const account = a.engine.account('USDT').balances;
    await a.engine.stop();
    const record = a.store.snapshot('portfolio')!;
    expect(record.machineVersion).toBe(5);
    const context = (record.snapshot as { context: { ledger: Record<string, unknown> } }).context;
    const { margin: _margin, ...versionFourLedger } = context.ledger;
    a.store.putSnapshot({ ...record, machineVersion: 4, snapshot: { ...(record.snapshot as object), context: { ...context, ledger: versionFourLedger } } });
    a.store.close();

    const b = await boot('b');
    expect(b.engine.recoveryReport()).toMatchObject({ restoredPortfolio: true, balanceDifferences: {} });
    expect(b.engine.account('USDT').balances).toEqual(account);
    // It trades perpetuals from there: the margin book starts with this short.
    b.engine.openPosition({ symbol: PERP.symbol, direction: 'short', quantity: '0.5' });
    await settle();
    expect(b.engine.account('USDT').balances.USDT).toEqual(await venueUsdt());
    await b.engine.stop();
    const current = b.store.snapshot('portfolio')!;
    b.store.putSnapshot({ ...current, machineVersion: 3 });
    b.store.close();

    const store = openStore({ path });
    expect(() => createEngine({ venues: [venue], clock, store, clientOrderIdPrefix: 'c', logger: pino({ level: 'silent' }) })).toThrow(
      /snapshot of portfolio was written by portfolio machine version 3, this fillstate runs version 5 and has no migration for it/,
    );
    store.close();
  });
});
