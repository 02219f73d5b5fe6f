// Replay drivers: simulated time advances to each tick before delivery; bars fill a paper venue through their trades.
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../src/domain/market-data.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { parseBarsCsv } from '../../adapters/market-data/csv.ts';
import { expandBarsToTrades } from '../../adapters/market-data/bars.ts';
import { replay, replayInRealTime } from '../../adapters/market-data/replay.ts';
import { createSyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { BTC_USD, START, order, paperSetup, quote, trade } from './paper-fixture.ts';

describe('replay on simulated time', () => {
  it('advances the clock to each tick, firing due timers, before the sink sees it', () => {
    const clock = new SimulatedClock(START);
    const seen: Array<[number, number]> = [];
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 150);
    const ticks = createSyntheticMarket({ instrument: BTC_USD, seed: 5, startPrice: '100', startTime: START, intervalMs: 100 }).take(4);
    const count = replay(ticks, { onMarketData: (tick) => seen.push([tick.timestamp, clock.now()]) }, clock);
    expect(count).toBe(4);
    expect(seen).toEqual([0, 100, 200, 300].map((offset) => [START + offset, START + offset]));
    expect(fired).toEqual([START + 150]);
  });

  it('refuses a tick older than the clock', () => {
    const clock = new SimulatedClock(START + 1000);
    expect(() => replay([trade(START, '100', '1', 'buy')], { onMarketData: () => undefined }, clock)).toThrow(/before the clock/);
  });

  it('delivers a bar only once it is complete, after its trades have filled a resting order', async () => {
    const { venue, clock, fills } = paperSetup();
    venue.submit(order({ clientOrderId: 'dip', side: 'buy', quantity: '1', price: '96' }));
    clock.advanceBy(0);
    const bars = parseBarsCsv('timestamp,open,high,low,close,volume\n' + `${START},100,110,95,105,8\n`, { symbol: BTC_USD.symbol, intervalMs: 60_000 });
    const barsSeen: number[] = [];
    venue.subscribeMarketData([BTC_USD.symbol], (tick) => {
      if (tick.type === 'bar') barsSeen.push(clock.now());
    });
    replay(expandBarsToTrades(bars), venue, clock);
    clock.advanceBy(0);
    // The low at 95 trades through the 96 bid: 2 units printed there, our 1 fills at 96 as maker.
    expect(fills('dip').map((fill) => [fill.quantity, fill.price, fill.liquidity, fill.timestamp])).toEqual([['1', '96', 'maker', START + 20_000]]);
    expect(barsSeen).toEqual([START + 60_000]);
  });

  it('feeds a paper venue so that reports follow the ticks in time order', () => {
    const { venue, clock, reports } = paperSetup({ reportLatencyMs: 5 });
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '1', price: '100' }));
    const ticks: MarketData[] = [quote(START + 10, [['100', '2']], [['101', '1']]), trade(START + 20, '100', '3', 'sell'), trade(START + 30, '99', '1', 'sell')];
    replay(ticks, venue, clock);
    clock.advanceBy(5);
    expect(reports.map((report) => [report.type, report.timestamp])).toEqual([
      ['accepted', START],
      ['filled', START + 20],
    ]);
  });
});

describe('replay in real time', () => {
  it('schedules ticks with their recorded spacing on the given clock and stops on request', () => {
    const clock = new SimulatedClock(START);
    const seen: number[] = [];
    const ticks = createSyntheticMarket({ instrument: BTC_USD, seed: 5, startPrice: '100', startTime: 0, intervalMs: 100 });
    const stop = replayInRealTime(ticks, { onMarketData: (tick) => seen.push(tick.timestamp) }, clock, { speed: 2, restamp: true });
    clock.advanceTo(START + 150);
    expect(seen).toEqual([START, START + 50, START + 100, START + 150]);
    stop();
    clock.advanceTo(START + 1000);
    expect(seen).toHaveLength(4);
    expect(clock.pending).toBe(0);
  });

  it('calls onEnd after the last tick of a finite stream', () => {
    const clock = new SimulatedClock(START);
    let ended = false;
    replayInRealTime([trade(START, '1', '1', 'buy'), trade(START + 10, '1', '1', 'buy')], { onMarketData: () => undefined }, clock, { onEnd: () => (ended = true) });
    clock.advanceBy(9);
    expect(ended).toBe(false);
    clock.advanceBy(1);
    expect(ended).toBe(true);
  });
});
