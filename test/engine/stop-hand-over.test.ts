// A graceful stop hands the trailing stops the engine holds to the venue as native stops at their level; after
// the restart the native stop protects the position until the market passes the best price trailing had
// seen, then trailing resumes here. Never two stops working for one position, never one without a stop.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const btc = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

const running: Array<{ engine: Engine; store: Store }> = [];
afterEach(async () => {
  for (const { engine, store } of running.splice(0)) {
    await engine.stop();
    if (store.isOpen) store.close();
  }
});

function world(nativeStops: boolean) {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new PaperVenue({ clock, instruments: [btc], balances: { USDT: '100000', BTC: '0' }, orderLatencyMs: 5, reportLatencyMs: 5, nativeStops });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fillstate-hand-over-')), 'journal.sqlite');
  const events: DomainEvent[] = [];
  const boot = async () => {
    const store = openStore({ path: file });
    const engine = createEngine({ venues: [venue], clock, store, clientOrderIdPrefix: 'h', logger: pino({ level: 'silent' }) });
    running.push({ engine, store });
    await engine.start();
    engine.subscribe((event) => events.push(event));
    return { engine, store };
  };
  /** Lets the group commit release the venue commands, the venue act on them and report (latency 5 ms). */
  const settle = async () => {
    for (let step = 0; step < 3; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advanceBy(10);
    }
  };
  /** The market at each bid in turn (a book of 5 BTC a level and a trade at the touch), settled after each. */
  const walk = async (...bids: string[]) => {
    for (const bid of bids) {
      await settle();
      const best = decimal(bid);
      const levels = (direction: 1 | -1, start: typeof best) => [0, 1, 2].map((index) => ({ price: start.plus(btc.tickSize.times(String(index * direction))), quantity: decimal('5') }));
      venue.onMarketData({ type: 'quote', symbol: btc.symbol, timestamp: clock.now(), bids: levels(-1, best), asks: levels(1, best.plus(btc.tickSize)) });
      venue.onMarketData({ type: 'trade', symbol: btc.symbol, timestamp: clock.now(), price: best, quantity: decimal('0.01'), aggressor: 'sell' });
    }
    await settle();
  };
  /** Graceful stop with the hand-over, as the daemon does it: the venue answers while the engine waits. */
  const handOverAndStop = async (session: { engine: Engine; store: Store }) => {
    const report = session.engine.handStopsToVenue();
    await settle();
    const result = await report;
    await session.engine.stop();
    session.store.close();
    return result;
  };
  return { clock, venue, events, boot, walk, handOverAndStop };
}

/** A long of 1 BTC entered near 50000 with a 49000 stop that trails 1 % behind the best bid once 1 % up. */
function openTrailingLong(engine: Engine): string {
  return engine.openPosition({
    symbol: btc.symbol, direction: 'long', quantity: '1',
    plan: { stopLoss: { method: 'price', price: '49000' }, trailing: { distance: { kind: 'percent', percent: '1' }, activation: { kind: 'percent', percent: '1' } } },
  }).positionId;
}

async function venueStops(venue: PaperVenue) {
  return (await venue.openOrders()).filter((order) => order.type === 'stop' || order.type === 'trailingStop');
}

/** A trailing long handed over at a graceful stop (its stop at 50490), then the engine started again. */
async function handedOverAndRestarted() {
  const { venue, walk, boot, handOverAndStop, events } = world(true);
  const first = await boot();
  await walk('50000');
  const positionId = openTrailingLong(first.engine);
  await walk('50000', '50600', '51000');
  const { handedOver } = await handOverAndStop(first);
  const second = await boot();
  return { venue, walk, events, positionId, handedOver, second };
}

describe('handing trailing stops to the venue at a graceful stop', () => {
  it('places a native stop at the trailing level, cancels the held one in the same turn, and says nothing is unprotected', async () => {
    const { venue, walk, boot, handOverAndStop, events } = world(true);
    const first = await boot();
    await walk('50000');
    const positionId = openTrailingLong(first.engine);
    await walk('50000', '50600', '51000');
    const trailing = first.engine.getPosition(positionId)!;
    expect(trailing.stopPhase).toBe('trailing');
    expect(first.engine.getOrder(trailing.stopOrderId!)).toMatchObject({ status: 'emulated', type: 'trailingStop' });
    expect(first.engine.unprotectedPositions()).toEqual([
      expect.objectContaining({ positionId, stopOrderId: trailing.stopOrderId, reason: 'its trailing stop is held by this engine, not at the venue' }),
    ]);
    expect(await venueStops(venue)).toEqual([]);

    const report = await handOverAndStop(first);
    // 1 % behind the best bid of 51000: 50490 (rounded up to the tick for a sell stop).
    expect(report.unprotected).toEqual([]);
    expect(report.handedOver).toEqual([{ positionId, symbol: btc.symbol, orderId: expect.any(String), stopPrice: '50490' }]);
    const stops = await venueStops(venue);
    expect(stops).toEqual([expect.objectContaining({ clientOrderId: report.handedOver[0]!.orderId, type: 'stop', side: 'sell', quantity: '1' })]);
    const heldStop = events.find((event) => event.type === 'OrderCanceled' && event.orderId === trailing.stopOrderId);
    expect(heldStop).toBeDefined();
    expect(events.some((event) => event.type === 'PositionChanged' && event.positionId === positionId && event.change === 'stopHandedOver')).toBe(true);
  });

  it('after the restart the native stop alone closes the position when the market falls to it', async () => {
    const { venue, walk, events, positionId, handedOver, second } = await handedOverAndRestarted();
    expect(second.engine.getPosition(positionId)).toMatchObject({ status: 'open', stopPhase: 'handedOver', stopPrice: '50490', stopOrderId: handedOver[0]!.orderId });
    expect(second.engine.unprotectedPositions()).toEqual([]);
    // Below the old best price nothing changes: the native stop is the only stop.
    await walk('50800', '50700');
    expect(second.engine.getPosition(positionId)?.stopPhase).toBe('handedOver');
    await walk('50480', '50400');
    const closed = second.engine.getPosition(positionId)!;
    expect(closed).toMatchObject({ status: 'closed', exitReason: 'trailing', quantity: '0' });
    // One exit fill in all: no second stop fired.
    const exits = events.filter((event) => event.type === 'OrderFilled' && event.side === 'sell');
    expect(exits.map((event) => event.type === 'OrderFilled' && event.orderId)).toEqual([handedOver[0]!.orderId]);
    expect(await venueStops(venue)).toEqual([]);
    expect((await venue.balances()).find((balance) => balance.currency === 'BTC')?.total).toBe('0');
  });

  it('after the restart trailing resumes here once the market passes the best price it had seen, and the native stop goes', async () => {
    const { venue, walk, events, positionId, handedOver, second } = await handedOverAndRestarted();
    await walk('51100', '51300');
    const resumed = second.engine.getPosition(positionId)!;
    expect(resumed.stopPhase).toBe('trailing');
    expect(second.engine.getOrder(resumed.stopOrderId!)).toMatchObject({ status: 'emulated', type: 'trailingStop' });
    // 1 % behind 51300, never below the handed stop.
    expect(decimal(resumed.stopPrice!).gte('50490')).toBe(true);
    expect(second.engine.getOrder(handedOver[0]!.orderId)?.status).toBe('canceled');
    expect(await venueStops(venue)).toEqual([]);
    await walk('50700', '50600');
    expect(second.engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'trailing' });
    const exits = events.filter((event) => event.type === 'OrderFilled' && event.side === 'sell');
    expect(exits).toHaveLength(1);
    expect((await venue.balances()).find((balance) => balance.currency === 'BTC')?.total).toBe('0');
  });

  it('hands nothing over to a venue that cannot hold a stop, and names the position left unprotected with why', async () => {
    const { venue, walk, boot, handOverAndStop } = world(false);
    const first = await boot();
    await walk('50000');
    const positionId = openTrailingLong(first.engine);
    await walk('50000', '50600', '51000');
    const report = await handOverAndStop(first);
    expect(report.handedOver).toEqual([]);
    expect(report.unprotected).toEqual([expect.objectContaining({ positionId, reason: 'venue paper cannot hold a stop order: the stop is held by this engine' })]);
    expect(await venue.openOrders()).toEqual([]);
  });
});
