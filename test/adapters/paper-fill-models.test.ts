// Fill models and latency models of the paper venue, each shown by what a user sees differ: when a resting order
// fills, how its queue position moves, when an order reaches the venue and when a strategy sees a tick.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import type { BookUpdate, MarketData } from '../../src/domain/market-data.ts';
import { probabilisticQueueAhead } from '../../adapters/paper/fill-model.ts';
import { parseLatencySamples, readLatencySamples } from '../../adapters/paper/latency.ts';
import { BTC_USD, START, order, paperSetup, quote, trade } from './paper-fixture.ts';

type Level = readonly [string, string];
function bookUpdate(timestamp: number, snapshot: boolean, bids: readonly Level[], asks: readonly Level[]): BookUpdate {
  const levels = (side: readonly Level[]) => side.map(([price, quantity]) => ({ price: decimal(price), quantity: decimal(quantity) }));
  return { type: 'bookUpdate', symbol: BTC_USD.symbol, timestamp, snapshot, bids: levels(bids), asks: levels(asks) };
}

/** A buy of 2 at 100 joining 5 displayed there, then a trade of 3 at 100 by a seller. */
function queuedBuyThenTrade(options: Parameters<typeof paperSetup>[0]) {
  const setup = paperSetup(options);
  setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
  setup.venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
  setup.flush();
  setup.venue.onMarketData(trade(START, '100', '3', 'sell'));
  setup.flush();
  return setup;
}

describe('fill models', () => {
  it('queuePosition (default): a trade smaller than the queue ahead does not fill the order at the back', () => {
    const { fills, venue } = queuedBuyThenTrade({});
    expect(fills('b')).toEqual([]);
    expect(venue.queuePosition('b')).toBe('2');
  });

  it('tradedVolume: no queue, the order takes its participation of each trade, rounded down to the lot', () => {
    const half = queuedBuyThenTrade({ fillModel: { kind: 'tradedVolume', participation: '0.5' } });
    expect(half.fills('b').map((fill) => [fill.quantity, fill.price, fill.liquidity])).toEqual([['1.5', '100', 'maker']]);
    const third = queuedBuyThenTrade({ fillModel: { kind: 'tradedVolume', participation: '0.3333' } });
    // 3 x 0.3333 = 0.9999, down to the 0.001 lot: 0.999.
    expect(third.fills('b').map((fill) => fill.quantity)).toEqual(['0.999']);
    expect(() => paperSetup({ fillModel: { kind: 'tradedVolume', participation: '1.5' } })).toThrow('fill model tradedVolume: participation must be above 0 and at most 1, got 1.5');
  });

  it('probabilisticQueue: a cancel at the order\'s price may come from ahead of it, drawn from the seed, the same every run', () => {
    const run = (seed: number) => {
      const setup = paperSetup({ fillModel: { kind: 'probabilisticQueue', seed } });
      setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
      setup.venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
      setup.flush();
      // 5 more join behind us (level 10), then 4 cancel (level 6): from ahead of us or from behind?
      setup.venue.onMarketData(quote(START, [['100', '10']], [['101', '5']]));
      setup.venue.onMarketData(quote(START, [['100', '6']], [['101', '5']]));
      return setup.venue.queuePosition('b');
    };
    const outcomes = Array.from({ length: 40 }, (_, seed) => run(seed));
    // Ahead of us 5 of 10 when 4 canceled: from ahead (queue 1) or from behind (queue stays 5), about half each.
    expect(new Set(outcomes)).toEqual(new Set(['1', '5']));
    expect(outcomes.filter((outcome) => outcome === '1').length).toBeGreaterThan(5);
    expect(outcomes.filter((outcome) => outcome === '5').length).toBeGreaterThan(5);
    // Deterministic: the same seed gives the same queue.
    expect(Array.from({ length: 40 }, (_, seed) => run(seed))).toEqual(outcomes);
    // The conservative model never moves the order up for that cancel: 5 ahead stay ahead.
    const conservative = paperSetup();
    conservative.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
    conservative.venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
    conservative.flush();
    conservative.venue.onMarketData(quote(START, [['100', '10']], [['101', '5']]));
    conservative.venue.onMarketData(quote(START, [['100', '6']], [['101', '5']]));
    expect(conservative.venue.queuePosition('b')).toBe('5');
  });

  it('probabilisticQueue rule: a cancel is ahead when the draw falls below ahead / level, never more ahead than displayed', () => {
    const ahead = decimal('3');
    const seen = decimal('12');
    expect(probabilisticQueueAhead(ahead, seen, decimal('10'), 0.24).toFixed()).toBe('1');
    expect(probabilisticQueueAhead(ahead, seen, decimal('10'), 0.26).toFixed()).toBe('3');
    expect(probabilisticQueueAhead(ahead, seen, decimal('2'), 0.99).toFixed()).toBe('2');
    expect(probabilisticQueueAhead(ahead, seen, decimal('14'), 0).toFixed()).toBe('3');
  });

  it('L2 book replay: a delta removing liquidity ahead moves the queue position; a later trade then fills the order', () => {
    const { venue, flush, fills, reports } = paperSetup();
    const seen: MarketData[] = [];
    venue.subscribeMarketData([BTC_USD.symbol], (tick) => seen.push(tick));
    venue.onBookUpdate(bookUpdate(START, true, [['100', '5'], ['99', '7']], [['101', '4'], ['102', '9']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
    flush();
    expect(venue.queuePosition('b')).toBe('5');
    // Incremental: 100 drops to 2 (cancels ahead of us), 99 unchanged, a new ask level at 100.5.
    venue.onBookUpdate(bookUpdate(START + 1, false, [['100', '2']], [['100.5', '1']]));
    expect(venue.queuePosition('b')).toBe('2');
    venue.onMarketData(trade(START + 2, '100', '3', 'sell'));
    flush();
    expect(fills('b').map((fill) => fill.quantity)).toEqual(['1']);
    // Subscribers see the replayed book as quotes, best first, with the removed level gone.
    venue.onBookUpdate(bookUpdate(START + 3, false, [], [['100.5', '0']]));
    const lastQuote = seen.filter((tick) => tick.type === 'quote').at(-1)!;
    expect(lastQuote.type === 'quote' && lastQuote.asks.map((level) => [level.price.toFixed(), level.quantity.toFixed()])).toEqual([['101', '4'], ['102', '9']]);
    // A market buy walks the replayed depth.
    venue.submit(order({ clientOrderId: 'm', side: 'buy', quantity: '5' }));
    flush();
    expect(reports.filter((report) => report.type === 'filled' && report.clientOrderId === 'm').map((report) => report.type === 'filled' && [report.quantity, report.price])).toEqual([['4', '101'], ['1', '102']]);
  });
});

describe('latency models', () => {
  it('sampled order latency: each order reaches the venue after a delay drawn from the samples, the same per seed, never overtaking an earlier one', () => {
    const arrivals = (seed: number) => {
      const setup = paperSetup({ orderLatencyMs: { samplesMs: [5, 50, 500], seed } });
      setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '50']]));
      for (let index = 0; index < 8; index++) setup.venue.submit(order({ clientOrderId: `o${index}`, side: 'buy', quantity: '1' }));
      setup.clock.advanceBy(1_000);
      return setup.reports.filter((report) => report.type === 'accepted').map((report) => [report.clientOrderId, report.timestamp - START]);
    };
    const first = arrivals(7);
    expect(arrivals(7)).toEqual(first);
    expect(first.map(([id]) => id)).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']);
    const times = first.map(([, time]) => time as number);
    expect(times.every((time, index) => [5, 50, 500].includes(time) || (index > 0 && time === times[index - 1]))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBeGreaterThan(1);
    expect(arrivals(8)).not.toEqual(first);
  });

  it('a restored venue continues the seeded draws where the saved one was: the same next arrival times', () => {
    const options = { orderLatencyMs: { samplesMs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], seed: 11 } };
    const original = paperSetup(options);
    original.venue.onMarketData(quote(START, [['100', '5']], [['101', '50']]));
    for (let index = 0; index < 5; index++) original.venue.submit(order({ clientOrderId: `before-${index}`, side: 'buy', quantity: '1', price: '90' }));
    original.clock.advanceBy(100);
    const restored = paperSetup({ ...options, state: JSON.parse(JSON.stringify(original.venue.exportState())) });
    restored.clock.advanceTo(original.clock.now());
    const arrivals = (setup: typeof original) => {
      const from = setup.reports.length;
      for (let index = 0; index < 5; index++) setup.venue.submit(order({ clientOrderId: `after-${index}`, side: 'buy', quantity: '1', price: '90' }));
      setup.clock.advanceBy(100);
      return setup.reports.slice(from).map((report) => report.timestamp);
    };
    expect(arrivals(restored)).toEqual(arrivals(original));
  });

  it('market data latency: the venue matches on the tick at once, the strategy sees it later', () => {
    const { venue, clock, flush, fills } = paperSetup({ marketDataLatencyMs: 25 });
    const seenAt: number[] = [];
    venue.subscribeMarketData([BTC_USD.symbol], () => seenAt.push(clock.now()));
    venue.onMarketData(quote(START, [['100', '1']], [['101', '5']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '1', price: '100' }));
    flush();
    venue.onMarketData(trade(START, '100', '2', 'sell'));
    flush();
    // Filled by the trade before the strategy even saw the quote.
    expect(fills('b')).toHaveLength(1);
    expect(seenAt).toEqual([]);
    clock.advanceBy(25);
    expect(seenAt).toEqual([START + 25, START + 25]);
  });

  it('measured latencies are read from a file, and a bad line is refused with its file and line', () => {
    const folder = mkdtempSync(join(tmpdir(), 'latency-'));
    const path = join(folder, 'rtt.txt');
    writeFileSync(path, '# measured round trips\n12\n\n13.5\n');
    expect(readLatencySamples(path)).toEqual([12, 13.5]);
    expect(() => parseLatencySamples('12\n-3\n', 'rtt.txt')).toThrow('rtt.txt:2: a latency must be a non-negative number of milliseconds, got "-3"');
    expect(() => parseLatencySamples('# nothing\n', 'rtt.txt')).toThrow('rtt.txt: no latency samples');
    expect(() => paperSetup({ orderLatencyMs: { samplesMs: [], seed: 1 } })).toThrow('orderLatencyMs: samplesMs must list at least one measured latency');
  });
});
