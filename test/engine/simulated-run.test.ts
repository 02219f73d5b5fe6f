// The engine on the paper venue in simulated time: the same inputs give the same events, byte for byte.
import { describe, expect, it } from 'vitest';
import { replay } from '../../adapters/market-data/replay.ts';
import { createSyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { DEMO_INSTRUMENT } from '../../src/demo.ts';

async function simulatedSession(seed: number): Promise<{ journal: string; statuses: string[] }> {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new PaperVenue({ clock, instruments: [DEMO_INSTRUMENT], balances: { USDT: '100000', BTC: '1' }, orderLatencyMs: 7, reportLatencyMs: 11 });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'sim' });
  await engine.start();
  const lines: string[] = [];
  engine.subscribe((event) => lines.push(JSON.stringify(event)));
  const market = createSyntheticMarket({ instrument: DEMO_INSTRUMENT, seed, startPrice: '50000', startTime: clock.now(), intervalMs: 50, tradeShare: 0.5 });
  replay(market.take(20), venue, clock);
  const ids: string[] = [];
  for (let round = 0; round < 20; round++) {
    const mid = engine.marketPrice('BTC/USDT')!;
    ids.push(engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: mid.minus('0.2').round(1, 0).toFixed() }).orderId);
    ids.push(engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.005' }).orderId);
    ids.push(engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'trailingStop', quantity: '0.01', trailingOffset: '0.3' }).orderId);
    ids.push(engine.submitOrder({
      symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '0.01', price: mid.plus('5').round(1, 0).toFixed(),
      timeInForce: 'GTD', expireAt: clock.now() + 2_000,
    }).orderId);
    replay(market.take(100), venue, clock);
  }
  clock.advanceBy(10_000);
  await engine.stop();
  return { journal: lines.join('\n'), statuses: ids.map((id) => engine.getOrder(id)!.status) };
}

describe('simulated-clock mode', () => {
  it('gives the same events, byte for byte, for the same inputs', async () => {
    const first = await simulatedSession(11);
    const second = await simulatedSession(11);
    expect(second.journal).toBe(first.journal);
    expect(first.journal.split('\n').length).toBeGreaterThan(200);
    const other = await simulatedSession(12);
    expect(other.journal).not.toBe(first.journal);
  });

  it('moves orders of every kind to where the market takes them', async () => {
    const { statuses, journal } = await simulatedSession(11);
    // Market sells fill, GTD sells far above the market expire at their time, trailing stops trigger.
    expect(statuses.filter((_, index) => index % 4 === 1).every((status) => status === 'filled')).toBe(true);
    expect(statuses.filter((_, index) => index % 4 === 3)).toContain('expired');
    expect(journal).toContain('"type":"OrderTriggered"');
    expect(journal).toContain('"liquidity":"maker"');
    // Sequence numbers have no gaps.
    const sequences = journal.split('\n').map((line) => (JSON.parse(line) as { sequence: number }).sequence);
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
  });
});
