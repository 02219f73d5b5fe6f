// Algorithms run against a small simulated market (test/machines/algos/simulated-venue.ts): a TWAP ends
// within one lot of its quantity with fills spread over its horizon, and survives a restart mid-way; a POV
// stays within 8-12 % of traded volume; an iceberg never shows more than its slice.
import { describe, expect, it } from 'vitest';
import { twapMachine } from '../../../machines/algos/twap.ts';
import { povMachine } from '../../../machines/algos/pov.ts';
import { icebergMachine } from '../../../machines/algos/iceberg.ts';
import { decimal, ZERO } from '../../../src/domain/decimal.ts';
import { algoInput, START } from './algo-driver.ts';
import { SimulatedVenue } from './simulated-venue.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const market = (seed: number) => ({ seed, startAt: START, mid: '50000.05', tickSize: '0.1', maxLotsPerSecond: 3_000, lotSize: '0.001' });

function state(venue: SimulatedVenue): string {
  return JSON.stringify(venue.actor.getSnapshot().value);
}

function filled(venue: SimulatedVenue): string {
  return (venue.actor.getSnapshot() as { context: { ledger: { filledQuantity: string } } }).context.ledger.filledQuantity;
}

describe('TWAP on a simulated market', () => {
  const input = algoInput({ kind: 'twap', parentId: 'twap1', symbol: 'BTC/USDT', side: 'buy', quantity: '10', horizonMs: HOUR, intervalMs: MINUTE, randomization: '0.2' });

  it('10 BTC over an hour ends within one lot of 10 BTC, with fills in every minute of the horizon', () => {
    const venue = new SimulatedVenue(twapMachine, input, market(11));
    venue.send({ type: 'start', at: START });
    while (venue.now < START + HOUR + MINUTE) venue.step();
    expect(state(venue)).toBe('"completed"');
    const total = venue.ourVolume();
    expect(decimal('10').minus(total).abs().lte('0.001')).toBe(true);
    expect(filled(venue)).toBe(total.toFixed());
    // Spread over the horizon: every one-minute interval got a slice, none took more than 1.5 x an even share.
    const perMinute = new Map<number, typeof ZERO>();
    for (const fill of venue.fills) {
      const minute = Math.floor((fill.at - START) / MINUTE);
      perMinute.set(minute, (perMinute.get(minute) ?? ZERO).plus(fill.quantity));
    }
    for (let minute = 0; minute < 60; minute++) {
      const quantity = perMinute.get(minute) ?? ZERO;
      expect(quantity.gt(ZERO), `minute ${minute}`).toBe(true);
      expect(quantity.lte(decimal('10').div('60').times('1.5')), `minute ${minute}: ${quantity.toFixed()}`).toBe(true);
    }
    expect(Math.max(...venue.fills.map((fill) => fill.at))).toBeLessThan(START + HOUR);
  });

  it('killed half-way and restored from its snapshot, it resumes its schedule and never over-executes', () => {
    const venue = new SimulatedVenue(twapMachine, input, market(12));
    venue.send({ type: 'start', at: START });
    while (venue.now < START + 30 * MINUTE + 20_000) venue.step();
    const before = decimal(filled(venue));
    venue.restart(input);
    // Down for five minutes: the slices missed are folded into the one due when it comes back.
    venue.now += 5 * MINUTE;
    while (venue.now < START + HOUR + MINUTE) venue.step();
    expect(state(venue)).toBe('"completed"');
    expect(decimal(filled(venue)).gt(before)).toBe(true);
    expect(venue.ourVolume().toFixed()).toBe(filled(venue));
    expect(decimal('10').minus(venue.ourVolume()).abs().lte('0.001')).toBe(true);
    expect(venue.ourVolume().lte('10')).toBe(true);
  });
});

describe('POV on a simulated market', () => {
  it('at 10 % stays within 8-12 % of the traded volume once it has traded a few slices', () => {
    const input = algoInput({ kind: 'pov', parentId: 'pov1', symbol: 'BTC/USDT', side: 'sell', quantity: '20', targetRate: '0.1', minSlice: '0.05', maxSlice: '1' });
    const venue = new SimulatedVenue(povMachine, input, market(21));
    venue.send({ type: 'start', at: START });
    let checked = 0;
    const startVolume = venue.totalVolume;
    while (state(venue) !== '"completed"' && venue.now < START + HOUR) {
      venue.step();
      const traded = venue.totalVolume.minus(startVolume);
      if (traded.gt('20')) {
        const share = venue.ourVolume().div(traded);
        expect(share.gte('0.08') && share.lte('0.12'), `share ${share.toFixed(4)} after ${traded.toFixed()} traded`).toBe(true);
        checked += 1;
      }
    }
    expect(state(venue)).toBe('"completed"');
    expect(venue.ourVolume().toFixed()).toBe('20');
    expect(checked).toBeGreaterThan(50);
  });
});

describe('iceberg on a simulated market', () => {
  it('never shows more than its slice and fills its whole quantity', () => {
    const input = algoInput({ kind: 'iceberg', parentId: 'ice1', symbol: 'BTC/USDT', side: 'buy', quantity: '5', limitPrice: '50010', displayQuantity: '0.3', randomization: '0.25' });
    const venue = new SimulatedVenue(icebergMachine, input, market(31));
    venue.send({ type: 'start', at: START });
    while (state(venue) !== '"completed"' && venue.now < START + HOUR) venue.step();
    expect(state(venue)).toBe('"completed"');
    expect(venue.ourVolume().toFixed()).toBe('5');
    // 0.3 spread by 25 % at most: 0.375.
    expect(venue.largestShown.lte('0.375'), venue.largestShown.toFixed()).toBe(true);
    expect(venue.largestShown.gt('0.3')).toBe(true);
  });
});
