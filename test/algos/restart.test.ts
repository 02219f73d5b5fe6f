// A TWAP survives a crash of its engine: engine A journals to SQLite and dies mid-way (its link cut, its
// uncommitted turn lost); engine B on the same file and the same, still running, paper venue restores the
// algo from its snapshot and resumes its absolute schedule, and the venue never executes more than ordered.
// An algo a trading halt paused comes back paused by it and goes on only when trading resumes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { VenueLink } from '../recovery/venue-link.ts';
import { BTC, MINUTE, START } from './engine-fixture.ts';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** An engine on a SQLite file and a paper venue that outlives it: boot, crash and boot again on the same file. */
function crashable(seed: number) {
  const directory = mkdtempSync(join(tmpdir(), 'fillstate-algo-restart-'));
  directories.push(directory);
  const path = join(directory, 'fillstate.db');
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [BTC], balances: { USDT: '1000000', BTC: '0' }, orderLatencyMs: 5, reportLatencyMs: 5 });
  const market = createSyntheticMarket({ instrument: BTC, seed, startPrice: '50000', startTime: START + 500, intervalMs: 500, tradeShare: 0.4, maxLevelLots: 200 });
  /** Feeds the market to `time`, letting each group commit (and the sends waiting on it) run. */
  const runUntil = async (time: number) => {
    for (;;) {
      const tick = market.next();
      clock.advanceTo(Math.min(tick.timestamp, time));
      if (tick.timestamp > time) return;
      venue.onMarketData(tick);
      await turn();
      await turn();
    }
  };
  const boot = async (prefix: string) => {
    const store = openStore({ path });
    const link = new VenueLink(venue);
    const engine = createEngine({ venues: [link], clock, store, clientOrderIdPrefix: prefix, logger: pino({ level: 'silent' }) });
    await engine.start();
    const events: DomainEvent[] = [];
    engine.subscribe((event) => events.push(event));
    return { store, link, engine, events };
  };
  const crash = (session: { engine: Engine; store: Store; link: VenueLink }) => {
    session.link.sever();
    session.store.abandon();
    void session.engine.stop();
  };

  return { venue, runUntil, boot, crash };
}

describe('a TWAP across a crash', () => {
  it('resumes from the store where it stood and never over-executes', async () => {
    const { venue, runUntil, boot, crash } = crashable(17);
    await runUntil(START + 2_000);
    const first = await boot('a');
    const twap = first.engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '2', horizonMs: 20 * MINUTE, intervalMs: MINUTE });
    const start = twap.schedule.startAt!;
    await runUntil(start + 8.5 * MINUTE);
    const before = first.engine.getAlgo(twap.algoId)!;
    expect(decimal(before.filledQuantity).gt('0.5')).toBe(true);
    crash(first);
    // Down for three minutes while the market goes on.
    await runUntil(start + 11.5 * MINUTE);
    const second = await boot('a');
    const restored = second.engine.getAlgo(twap.algoId)!;
    expect(restored).toMatchObject({ status: 'working', quantity: '2', schedule: { startAt: start, endAt: start + 20 * MINUTE } });
    expect(decimal(restored.filledQuantity).gte(before.filledQuantity)).toBe(true);
    await runUntil(start + 21 * MINUTE);
    const done = second.engine.getAlgo(twap.algoId)!;
    expect(done.status).toBe('completed');
    // The venue's truth: what it executed for us is what the algo counted, within a lot of 2 and never more.
    const bought = decimal((await venue.balances()).find((balance) => balance.currency === 'BTC')!.total);
    expect(bought.toFixed()).toBe(done.filledQuantity);
    expect(bought.lte('2') && bought.gte('1.999')).toBe(true);
    // Fills after the restart: the slices missed while down were folded into the one due at restart.
    const later = second.events.filter((event) => event.type === 'OrderFilled' && event.parentId === twap.algoId);
    expect(later.length).toBeGreaterThan(5);
    expect(second.events.some((event) => event.type === 'AlgoEnded' && event.parentId === twap.algoId)).toBe(true);
    await second.engine.stop();
    second.store.close();
  });

  it('an algo the halt paused comes back paused by it, sends nothing while trading stays halted, and goes on when it resumes', async () => {
    const { venue, runUntil, boot, crash } = crashable(23);
    await runUntil(START + 2_000);
    const first = await boot('h');
    const twap = first.engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 10 * MINUTE, intervalMs: MINUTE });
    const start = twap.schedule.startAt!;
    await runUntil(start + 3.5 * MINUTE);
    first.engine.halt('kill switch');
    await runUntil(start + 4 * MINUTE);
    const halted = first.engine.getAlgo(twap.algoId)!;
    expect(halted).toMatchObject({ status: 'paused', pausedBy: 'halt' });
    crash(first);
    await runUntil(start + 5 * MINUTE);
    const second = await boot('h');
    expect(second.engine.tradingState()).toBe('halted');
    await runUntil(start + 7 * MINUTE);
    expect(second.engine.getAlgo(twap.algoId)).toMatchObject({ status: 'paused', pausedBy: 'halt', childrenSent: halted.childrenSent, failures: 0 });
    second.engine.resume();
    await runUntil(start + 11 * MINUTE);
    const done = second.engine.getAlgo(twap.algoId)!;
    expect(done).toMatchObject({ status: 'completed', filledQuantity: '1' });
    const bought = decimal((await venue.balances()).find((balance) => balance.currency === 'BTC')!.total);
    expect(bought.toFixed()).toBe('1');
    await second.engine.stop();
    second.store.close();
  });
});
