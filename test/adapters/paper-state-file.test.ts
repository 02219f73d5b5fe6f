// The paper venue's state saved incrementally: a turn writes only what changed, the venue restored from snapshot +
// log is the venue saved (also across compactions and forgotten orders), and a torn last write is dropped cleanly.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, toDecimalString } from '../../src/domain/decimal.ts';
import { PaperStateFile, logPathOf } from '../../adapters/paper/paper-state-file.ts';
import { BTC_USD, order, paperSetup, quote, trade } from './paper-fixture.ts';
import { BTC_PERP } from './paper-perpetual-fixture.ts';

function statePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'paper-state-')), 'paper-venue.json');
}

/** A venue with 40 finished orders and a few working ones, saved once (the first save writes the whole state). */
function savedVenue(path: string) {
  const setup = paperSetup({ nativeStops: true });
  const { venue, clock, flush } = setup;
  venue.onMarketData(quote(clock.now(), [['99', '500'], ['98', '0.5']], [['101', '500']]));
  for (let index = 0; index < 40; index++) venue.submit(order({ clientOrderId: `done-${index}`, side: index % 2 === 0 ? 'buy' : 'sell', quantity: '0.01' }));
  venue.submit(order({ clientOrderId: 'resting', side: 'buy', quantity: '1', price: '98' }));
  venue.submit(order({ clientOrderId: 'stop', side: 'sell', type: 'stop', quantity: '0.5', stopPrice: '90' }));
  flush();
  const { file } = PaperStateFile.open(path);
  const whole = file.save(venue);
  return { ...setup, file, whole };
}

describe('paper venue state file', () => {
  it('after the first save, a turn appends only what changed: one order, its fill, balances', () => {
    const path = statePath();
    const { venue, clock, flush, file, whole } = savedVenue(path);
    expect(whole).toBe(statSync(path).size);
    venue.submit(order({ clientOrderId: 'new', side: 'buy', quantity: '0.2' }));
    flush();
    const appended = file.save(venue);
    expect(appended).toBeLessThan(whole / 10);
    const [record] = readFileSync(logPathOf(path), 'utf8').trim().split('\n').map((line) => JSON.parse(line.slice(17)));
    expect(record.sequence).toBe(1);
    expect(record.changes.orders.map((saved: { clientOrderId: string }) => saved.clientOrderId)).toEqual(['new']);
    expect(record.changes.fills.map((fill: { clientOrderId: string }) => fill.clientOrderId)).toEqual(['new']);
    // The snapshot is untouched by the turn.
    expect(statSync(path).size).toBe(whole);
    // A queue that moved with market data alone is saved too (nothing marked it).
    expect(venue.queuePosition('resting')).toBe('0.5');
    venue.onMarketData(quote(clock.now(), [['98', '0.3']], [['101', '500']]));
    venue.onMarketData(trade(clock.now(), '98', '0.1', 'sell'));
    file.save(venue);
    const restored = paperSetup({ nativeStops: true, state: PaperStateFile.open(path).state });
    expect(restored.venue.queuePosition('resting')).toBe(venue.queuePosition('resting'));
    expect(restored.venue.queuePosition('resting')).toBe('0.2');
  });

  it('a restored venue is identical to the one saved, through appends, compactions and forgotten finished orders', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('quote' as const), bid: fc.integer({ min: 95, max: 100 }), size: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ kind: fc.constant('trade' as const), price: fc.integer({ min: 94, max: 106 }), size: fc.integer({ min: 1, max: 9 }), aggressor: fc.constantFrom<'buy' | 'sell'>('buy', 'sell') }),
      fc.record({ kind: fc.constant('limit' as const), side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'), price: fc.integer({ min: 95, max: 105 }), size: fc.integer({ min: 1, max: 9 }), perpetual: fc.boolean() }),
      fc.record({ kind: fc.constant('market' as const), side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'), size: fc.integer({ min: 1, max: 9 }), perpetual: fc.boolean() }),
      fc.record({ kind: fc.constant('stop' as const), stopPrice: fc.integer({ min: 90, max: 99 }) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), size: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('rejected' as const) }),
      fc.record({ kind: fc.constant('hours' as const), hours: fc.integer({ min: 1, max: 9 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 25 }), fc.integer({ min: 2, max: 8 }), async (turns, retain) => {
        const path = statePath();
        const options = {
          nativeStops: true,
          instruments: [BTC_USD, BTC_PERP],
          balances: { USD: '100000', BTC: '100', USDT: '100000' },
          perpetuals: { 'BTC-PERP': { leverage: '5', marginMode: 'isolated' as const, markPrice: 'last' as const } },
          fillModel: { kind: 'probabilisticQueue' as const, seed: 3 },
          retainFinishedOrders: retain,
        };
        const setup = paperSetup(options);
        const { venue, clock, flush } = setup;
        // Tiny thresholds so compactions happen inside a short run.
        const { file } = PaperStateFile.open(path, { minimumLogBytes: 2_000, compactionRatio: 0.5 });
        let placed = 0;
        for (const turn of turns) {
          for (const action of turn) {
            const id = `o${placed}`;
            const symbol = 'perpetual' in action && action.perpetual ? BTC_PERP.symbol : BTC_USD.symbol;
            if (action.kind === 'quote') {
              for (const bookSymbol of [BTC_USD.symbol, BTC_PERP.symbol]) venue.onMarketData(quote(clock.now(), [[String(action.bid), String(action.size)]], [[String(action.bid + 2), String(action.size)]], bookSymbol));
            } else if (action.kind === 'trade') {
              for (const tradeSymbol of [BTC_USD.symbol, BTC_PERP.symbol]) venue.onMarketData(trade(clock.now(), String(action.price), String(action.size), action.aggressor, tradeSymbol));
            } else if (action.kind === 'limit') {
              venue.submit(order({ clientOrderId: id, symbol, side: action.side, quantity: String(action.size), price: String(action.price) }));
              placed++;
            } else if (action.kind === 'market') {
              venue.submit(order({ clientOrderId: id, symbol, side: action.side, quantity: String(action.size) }));
              placed++;
            } else if (action.kind === 'stop') {
              venue.submit(order({ clientOrderId: id, side: 'sell', type: 'stop', quantity: '1', stopPrice: String(action.stopPrice) }));
              placed++;
            } else if (action.kind === 'rejected') {
              venue.submit(order({ clientOrderId: id, side: 'buy', quantity: '1', price: '0.015' }));
              placed++;
            } else if (action.kind === 'cancel' && placed > 0) {
              venue.cancel(`o${action.pick % placed}`);
            } else if (action.kind === 'amend' && placed > 0) {
              venue.amend(`o${action.pick % placed}`, { quantity: toDecimalString(decimal(action.size)) });
            } else if (action.kind === 'hours') {
              clock.advanceBy(action.hours * 60 * 60 * 1000);
            }
          }
          flush();
          file.save(venue);
        }
        file.close();
        const opened = PaperStateFile.open(path);
        expect(opened.recovered).toBeUndefined();
        const restored = paperSetup({ ...options, state: JSON.parse(JSON.stringify(opened.state)) });
        expect(restored.venue.exportState()).toEqual(venue.exportState());
        expect(await restored.venue.balances()).toEqual(await venue.balances());
      }),
      { numRuns: 60 },
    );
  });

  it('a torn last record (a crash mid-write) is dropped: the venue is the one before it, and saving goes on', () => {
    const path = statePath();
    const { venue, flush, file } = savedVenue(path);
    venue.submit(order({ clientOrderId: 'kept', side: 'buy', quantity: '0.1' }));
    flush();
    file.save(venue);
    const before = venue.exportState();
    venue.submit(order({ clientOrderId: 'torn', side: 'buy', quantity: '0.1' }));
    flush();
    file.save(venue);
    // Cut the last record in half, as a crash during its write would.
    const log = readFileSync(logPathOf(path));
    const lastStart = log.subarray(0, log.length - 1).lastIndexOf(0x0a) + 1;
    writeFileSync(logPathOf(path), log.subarray(0, lastStart + Math.floor((log.length - lastStart) / 2)));

    const opened = PaperStateFile.open(path);
    expect(opened.recovered).toMatch(/the last change record was written only in part \(\d+ bytes, a crash while saving\) and was dropped/);
    expect(statSync(logPathOf(path)).size).toBe(lastStart);
    const restored = paperSetup({ nativeStops: true, state: opened.state });
    expect(restored.venue.exportState()).toEqual(before);
    // The restored venue saves on from there, and opens again cleanly.
    restored.venue.submit(order({ clientOrderId: 'after', side: 'buy', quantity: '0.1' }));
    restored.flush();
    opened.file.save(restored.venue);
    const again = PaperStateFile.open(path);
    expect(again.recovered).toBeUndefined();
    expect(paperSetup({ nativeStops: true, state: again.state }).venue.exportState()).toEqual(restored.venue.exportState());
  });

  it('a damaged record before the last, or a log without its snapshot, is refused and nothing is changed', () => {
    const path = statePath();
    const { venue, flush, file } = savedVenue(path);
    for (const id of ['a', 'b']) {
      venue.submit(order({ clientOrderId: id, side: 'buy', quantity: '0.1' }));
      flush();
      file.save(venue);
    }
    const log = readFileSync(logPathOf(path), 'utf8');
    const damaged = log.replace('"clientOrderId":"a"', '"clientOrderId":"x"');
    writeFileSync(logPathOf(path), damaged);
    expect(() => PaperStateFile.open(path)).toThrow(`${logPathOf(path)}:1: change record is damaged (checksum mismatch); refused`);
    expect(readFileSync(logPathOf(path), 'utf8')).toBe(damaged);

    const orphan = statePath();
    appendFileSync(logPathOf(orphan), log);
    expect(() => PaperStateFile.open(orphan)).toThrow('has change records but');
    expect(existsSync(orphan)).toBe(false);
  });

  it('a whole-state file of the earlier format (no log) still opens', () => {
    const path = statePath();
    const { venue } = savedVenue(statePath());
    const { logSequence: _sequence, ...legacy } = { ...venue.exportState(), version: 1 as const, logSequence: 0 };
    writeFileSync(path, JSON.stringify(legacy));
    const opened = PaperStateFile.open(path);
    expect(paperSetup({ nativeStops: true, state: opened.state }).venue.exportState()).toEqual({ ...venue.exportState() });
  });
});
