// The inspector's pure parts: the page's decimal rounding (as text, never floats) against big.js, the finished
// history's stable numbering and filters, the session cookie's signature and expiry, and event decoding.
import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, sourceIdOf } from '../../src/inspector/decode.ts';
import { EntryLog, ObservedEntry } from '../../src/inspector/entry-log.ts';
import { FinishedHistory } from '../../src/inspector/history.ts';
import { CLOSED_POSITIONS_KEPT, PriceHistory } from '../../src/inspector/price-history.ts';
import { InspectorSessions, SESSION_COOKIE } from '../../src/inspector/session.ts';
// @ts-expect-error the page's modules are plain JavaScript served to the browser
import * as format from '../../src/inspector/page/format.js';
import { startInspectedDaemon } from './fixture.ts';

const decimalText = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.integer({ min: 0, max: 12 })).map(([negative, digits, scale]) => {
  const text = digits.toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
});

describe('page number formatting', () => {
  it('rounds decimal text half away from zero exactly as big.js does, padded to the places', () => {
    fc.assert(fc.property(decimalText, fc.integer({ min: 0, max: 10 }), (value, places) => {
      const expected = new Big(value).round(places, Big.roundHalfUp).toFixed(places);
      // big.js keeps a negative zero's sign ("-0.00"); a trader reads 0.00.
      expect(format.roundText(value, places)).toBe(/^-0(\.0+)?$/.test(expected) ? expected.slice(1) : expected);
    }), { numRuns: 2000 });
  });

  it('formats prices to the tick, quantities to the lot, money with its currency and sign', () => {
    const btc = { base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001' };
    expect(format.price('49999.281333333333333333333333333333', btc)).toBe('49,999.3');
    expect(format.quantity('0.4', btc, true)).toBe('0.400 BTC');
    expect(format.money('-7.8049', 'USDT', true)).toBe('−7.80 USDT');
    expect(format.money('12.5', 'USDT', true)).toBe('+12.50 USDT');
    expect(format.money('0.00000001', 'BTC')).toBe('0.00000001 BTC');
    expect(format.money('-0.001', 'USDT', true)).toBe('0.00 USDT');
    expect(format.utc(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02 03:04:05.006 UTC');
  });
});

describe('finished history', () => {
  it('reads the earlier history back only as far as asked, numbers actors seen finishing once, pages newest first within the count a page saw, and filters', async () => {
    const daemon = await startInspectedDaemon();
    try {
      daemon.engine.halt('test');
      // 30 orders, one a minute: the first read of the earlier history (10 s back) finds only the newest.
      const ids = Array.from({ length: 30 }, () => {
        daemon.clock.advanceBy(60_000);
        return daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' }).orderId;
      });
      const history = new FinishedHistory(daemon.engine, daemon.clock.now(), new Set());
      expect(history.count).toBe(0);
      const first = history.page(0, 0, 1);
      expect(first).toMatchObject({ total: 1, complete: false });
      expect(first.nodes[0]).toMatchObject({ id: `order:${ids.at(-1)}`, state: 'denied', live: false, reason: expect.stringContaining('trading is halted') });
      // Asked for more, it reads further back (10 minutes: 11 orders, the bounds included), then everything.
      expect(history.page(0, 0, 10)).toMatchObject({ total: 11, complete: false });
      const all = history.page(0, 0, 40);
      expect(all).toMatchObject({ total: 30, complete: true });
      expect(all.nodes.map((node) => node.id)).toEqual(ids.slice().reverse().map((id) => `order:${id}`));
      // One finishes while attached: a page that counted none sees the same rows; a new count sees it first.
      const late = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '0.01', price: '60000' }).orderId;
      history.add({ id: `order:${late}`, kind: 'order', state: 'denied', live: false, symbol: 'BTC/USDT', side: 'sell' });
      history.add({ id: `order:${late}`, kind: 'order', state: 'denied', live: false, symbol: 'BTC/USDT', side: 'sell' });
      // One listed already is not listed twice.
      history.add({ id: `order:${ids[0]}`, kind: 'order', state: 'denied', live: false, symbol: 'BTC/USDT', side: 'buy' });
      expect(history.count).toBe(1);
      expect(history.page(0, 0, 1).nodes[0]!.id).toBe(`order:${ids.at(-1)}`);
      expect(history.page(1, 0, 1).nodes[0]!.id).toBe(`order:${late}`);
      expect(history.page(1, 30, 10).nodes.map((node) => node.id)).toEqual([`order:${ids[0]}`]);
      expect(history.page(1, 0, 10, { text: 'sell' }).total).toBe(1);
      expect(history.page(1, 0, 10, { state: 'denied', symbol: 'BTC/USDT' }).total).toBe(31);
      expect(history.page(1, 0, 10, { symbol: 'ETH/USDT' }).total).toBe(0);
    } finally {
      await daemon.close();
    }
  });

  it('keeps a bounded list: the oldest seen go, counts stay absolute, and what finished before attaching goes first', async () => {
    const daemon = await startInspectedDaemon();
    try {
      daemon.engine.halt('test');
      const before = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' }).orderId;
      const history = new FinishedHistory(daemon.engine, daemon.clock.now(), new Set(), undefined, 10);
      const seen = Array.from({ length: 11 }, (_, index) => `order:seen-${index}`);
      for (const id of seen) history.add({ id, kind: 'order', state: 'canceled', live: false, symbol: 'BTC/USDT', side: 'buy' });
      // Ten kept at most: the eleventh let the oldest one go (a tenth of the bound), and the one from before attaching.
      expect(history.count).toBe(11);
      const page = history.page(history.count, 0, 50);
      expect(page).toMatchObject({ total: 10, complete: true });
      expect(page.nodes.map((node) => node.id)).toEqual(seen.slice(1).reverse());
      expect(page.nodes.map((node) => node.id)).not.toContain(`order:${before}`);
      // A page that counted fewer still reads the same rows, newest of its count first.
      expect(history.page(5, 0, 50).nodes.map((node) => node.id)).toEqual(seen.slice(1, 5).reverse());
      // One let go may be listed again if it finishes again (it is no longer known).
      expect(history.has(seen[0]!)).toBe(false);
    } finally {
      await daemon.close();
    }
  });
});

describe('kept entry log', () => {
  it('keeps exactly the last entries, found by sequence, read from any point and by actor, oldest first', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 130 }), fc.integer({ min: -5, max: 140 }), (retained, added, after) => {
      const log = new EntryLog(retained);
      for (let sequence = 1; sequence <= added; sequence++) {
        const entry = new ObservedEntry(`order:${sequence % 3}`, 'received', { type: 'submit' }, sequence, 'open', 'active', {});
        entry.sequence = sequence;
        log.add(entry);
      }
      const kept = Array.from({ length: Math.min(retained, added) }, (_, index) => added - Math.min(retained, added) + 1 + index);
      expect(log.firstSequence).toBe(kept[0]);
      expect(log.since(0).map((entry) => entry.sequence)).toEqual(kept);
      expect(log.since(after).map((entry) => entry.sequence)).toEqual(kept.filter((sequence) => sequence > after));
      for (let sequence = -1; sequence <= added + 1; sequence++) expect(log.bySequence(sequence)?.sequence).toBe(kept.includes(sequence) ? sequence : undefined);
      expect(log.ofActors(new Set(['order:1'])).map((entry) => entry.sequence)).toEqual(kept.filter((sequence) => sequence % 3 === 1));
      log.clear();
      expect(log.since(0)).toEqual([]);
      expect(log.firstSequence).toBeUndefined();
    }));
  });

  it('refuses a size that keeps nothing', () => {
    expect(() => new EntryLog(0)).toThrow('retained entries must be a positive integer, got 0');
  });
});

describe('session cookie', () => {
  const cookieOf = (header: string) => header.split(';')[0]!;

  it('is HttpOnly and SameSite=Strict, signed with the secret, refused when forged, expired or from another secret', () => {
    let now = 1_000_000;
    const sessions = new InspectorSessions('token-a', () => now);
    const header = sessions.open(false);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).not.toContain('token-a');
    const cookie = cookieOf(header);
    expect(sessions.authenticates({ headers: { cookie: `other=1; ${cookie}` } })).toBe(true);
    // The same secret after a restart accepts it; another does not.
    expect(new InspectorSessions('token-a', () => now).authenticates({ headers: { cookie } })).toBe(true);
    expect(new InspectorSessions('token-b', () => now).authenticates({ headers: { cookie } })).toBe(false);
    const [expiry, signature] = cookie.slice(SESSION_COOKIE.length + 1).split('.');
    expect(sessions.authenticates({ headers: { cookie: `${SESSION_COOKIE}=${Number(expiry) + 1}.${signature}` } })).toBe(false);
    expect(sessions.authenticates({ headers: { cookie: `${SESSION_COOKIE}=garbage` } })).toBe(false);
    expect(sessions.authenticates({ headers: {} })).toBe(false);
    now += 13 * 60 * 60 * 1000;
    expect(sessions.authenticates({ headers: { cookie } })).toBe(false);
  });
});

describe('event decoding', () => {
  it('reads quantity, price and fee of a fill, a stop move old -> new, and who sent an event', () => {
    expect(decodeEvent({ type: 'OrderFilled', fillQuantity: '0.4', fillPrice: '49000', fee: '0.01', feeCurrency: 'USDT' }, undefined)).toEqual({ quantity: '0.4', price: '49000', fee: '0.01', feeCurrency: 'USDT' });
    expect(decodeEvent({ type: 'PositionChanged', change: 'trailing', quantity: '1', stopPrice: '50490', realizedPnl: '0' }, '49000')).toMatchObject({ stopFrom: '49000', stopTo: '50490' });
    // A change that left the stop where it was says nothing about the stop.
    expect(decodeEvent({ type: 'PositionChanged', change: 'size', quantity: '2', stopPrice: '49000', realizedPnl: '0' }, '49000')).not.toHaveProperty('stopTo');
    expect(decodeEvent({ type: 'OrderDenied', reason: 'tradingHalted: trading is halted' }, undefined)).toEqual({ reason: 'tradingHalted: trading is halted' });
    expect(sourceIdOf({ type: 'venue.filled' }, { venue: 'binance' })).toBe('venue:binance');
    expect(sourceIdOf({ type: 'fill', orderId: 'o-1' }, {})).toBe('order:o-1');
    expect(sourceIdOf({ type: 'submit' }, {})).toBe('portfolio');
    expect(sourceIdOf({ type: 'cancel' }, {})).toBeUndefined();
  });
});

describe('price chart series', () => {
  it('keep every open position and only the most recent closed ones, however many positions a page has seen', () => {
    // The series only read domain events; the engine is asked for marks and equity, not used here.
    const history = new PriceHistory({} as never);
    const base = { venue: 'paper', symbol: 'BTC/USDT', sequence: 0 };
    const opened = (positionId: string, at: number) =>
      ({ ...base, type: 'PositionOpened', positionId, timestamp: at, direction: 'long', quantity: '1', averageEntryPrice: '100', stopPrice: '95', takeProfitPrices: ['110'] }) as never;
    history.domainEvent(opened('open-1', 0));
    const total = CLOSED_POSITIONS_KEPT + 250;
    for (let index = 0; index < total; index++) {
      history.domainEvent(opened(`p${index}`, index));
      history.domainEvent({ ...base, type: 'PositionClosed', positionId: `p${index}`, timestamp: index + 1, direction: 'long', closedQuantity: '1', realizedPnl: '0', fees: '0', exitReason: 'manual' } as never);
    }
    const positions = Object.keys(history.view('BTC/USDT').positions);
    expect(positions).toHaveLength(CLOSED_POSITIONS_KEPT + 1);
    expect(positions).toContain('position:open-1');
    expect(positions).toContain(`position:p${total - 1}`);
    expect(positions).not.toContain(`position:p${total - CLOSED_POSITIONS_KEPT - 1}`);
    expect(history.view('BTC/USDT').positions[`position:p${total - 1}`]!.stop.at(-1)).toEqual({ at: total, value: null });
  });
});
