// VWAP and chase through the engine on the paper venue with the synthetic market: a VWAP's fills follow its
// profile, a chase rests at the touch and crosses the spread at its timeout, each ending with its quantity.
import { describe, expect, it } from 'vitest';
import { decimal, ZERO } from '../../src/domain/decimal.ts';
import { algoSession, childFills, HOUR, MINUTE } from './engine-fixture.ts';

describe('VWAP through the engine', () => {
  it('fills follow the profile: the heavy first quarter-hour takes three times the light middle ones', async () => {
    // A deep book: each slice, a taker order, fills whole at once.
    const session = await algoSession({ seed: 13, maxLevelLots: 2_000 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const vwap = engine.submitAlgo({ kind: 'vwap', symbol: 'BTC/USDT', side: 'buy', quantity: '2', horizonMs: HOUR, intervalMs: 15 * MINUTE, profile: ['3', '1', '1', '3'] });
    session.runUntil(start + HOUR + MINUTE);
    expect(engine.getAlgo(vwap.algoId)).toMatchObject({ status: 'completed', filledQuantity: '2' });
    const quarters = [ZERO, ZERO, ZERO, ZERO];
    for (const fill of childFills(events, vwap.algoId).fills) {
      const quarter = Math.min(3, Math.floor((fill.at - start) / (15 * MINUTE)));
      quarters[quarter] = quarters[quarter]!.plus(fill.quantity);
    }
    expect(quarters.map((quantity) => quantity.toFixed())).toEqual(['0.75', '0.25', '0.25', '0.75']);
  });
});

describe('chase through the engine', () => {
  it('rests behind the best bid, re-prices as the market moves away, and crosses at its timeout', async () => {
    const session = await algoSession({ seed: 21, maxLevelLots: 2_000 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const chase = engine.submitAlgo({ kind: 'chase', symbol: 'BTC/USDT', side: 'buy', quantity: '10', crossAfterMs: 5 * MINUTE, offsetTicks: 20, repriceTicks: 2 });
    const first = engine.listOrders({ parentId: chase.algoId })[0]!;
    expect(first).toMatchObject({ type: 'limit', timeInForce: 'GTC' });
    session.runUntil(start + 5 * MINUTE - 1_000);
    const resting = engine.getAlgo(chase.algoId)!;
    expect(resting.state).toBe('working.resting');
    expect(decimal(resting.filledQuantity).lt('10')).toBe(true);
    session.runUntil(start + 6 * MINUTE);
    const done = engine.getAlgo(chase.algoId)!;
    expect(done).toMatchObject({ status: 'completed', filledQuantity: '10' });
    const children = engine.listOrders({ parentId: chase.algoId });
    // Re-priced at least once while resting (each a resting limit 20 ticks behind the bid), then the rest crossed as a taker.
    expect(children.filter((order) => order.type === 'limit' && order.timeInForce === 'GTC').length).toBeGreaterThan(1);
    expect(children.some((order) => order.type === 'market' && order.createdAt >= start + 5 * MINUTE)).toBe(true);
    expect(childFills(events, chase.algoId).quantity.toFixed()).toBe('10');
  });
});
