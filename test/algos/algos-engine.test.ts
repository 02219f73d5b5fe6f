// Algorithms through the engine on the paper venue with the synthetic market: a POV keeps to its share of the
// traded volume, an iceberg never shows more than its slice, bad plans are refused whole before anything is
// sent, and pause, resume, amend and cancel do what they say (children canceled, fills kept).
import { describe, expect, it } from 'vitest';
import { AlgoParamsError } from '../../src/domain/algo-params.ts';
import { decimal, ZERO } from '../../src/domain/decimal.ts';
import { AlgoStateError } from '../../src/engine/algos/errors.ts';
import { algoSession, childFills, HOUR, MINUTE } from './engine-fixture.ts';

describe('POV through the engine', () => {
  it('at 10 % stays within 8-12 % of the volume traded while it works', async () => {
    const session = await algoSession({ seed: 5 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const pov = engine.submitAlgo({ kind: 'pov', symbol: 'BTC/USDT', side: 'sell', quantity: '1.5', targetRate: '0.1', minSlice: '0.005', maxSlice: '0.05' });
    let checked = 0;
    while (engine.getAlgo(pov.algoId)!.live && clock.now() < start + 3 * HOUR) {
      session.runUntil(clock.now() + 10_000);
      const traded = session.tradedVolume(start);
      if (traded.lt('3')) continue;
      const share = childFills(events, pov.algoId).quantity.div(traded);
      expect(share.gte('0.08') && share.lte('0.12'), `share ${share.toFixed(4)} of ${traded.toFixed()} traded`).toBe(true);
      checked++;
    }
    expect(engine.getAlgo(pov.algoId)).toMatchObject({ status: 'completed', filledQuantity: '1.5' });
    expect(checked).toBeGreaterThan(20);
  });
});

describe('iceberg through the engine', () => {
  it('never shows more than its slice at the venue and fills its quantity', async () => {
    const session = await algoSession({ seed: 9 });
    const { engine, clock } = session;
    const start = clock.now();
    const iceberg = engine.submitAlgo({ kind: 'iceberg', symbol: 'BTC/USDT', side: 'buy', quantity: '1', limitPrice: '50003', displayQuantity: '0.1', randomization: '0.2' });
    while (engine.getAlgo(iceberg.algoId)!.live && clock.now() < start + 4 * HOUR) session.runUntil(clock.now() + 10_000);
    // What the venue was shown, event by event: each child's open quantity from its creation to its end.
    const open = new Map<string, typeof ZERO>();
    let largest = ZERO;
    for (const event of session.events) {
      if (event.type === 'OrderInitialized' && event.parentId === iceberg.algoId) open.set(event.orderId, decimal(event.quantity));
      else if (event.type === 'OrderFilled' && open.has(event.orderId)) open.set(event.orderId, decimal(event.remainingQuantity));
      else if ((event.type === 'OrderCanceled' || event.type === 'OrderRejected' || event.type === 'OrderExpired' || event.type === 'OrderDenied') && open.has(event.orderId)) open.delete(event.orderId);
      const shown = [...open.values()].reduce((sum, quantity) => sum.plus(quantity), ZERO);
      if (shown.gt(largest)) largest = shown;
    }
    // 0.1 randomised by 20 % at most: 0.12.
    expect(largest.lte('0.12'), largest.toFixed()).toBe(true);
    expect(largest.gt('0.08')).toBe(true);
    expect(engine.getAlgo(iceberg.algoId)).toMatchObject({ status: 'completed', filledQuantity: '1' });
    const children = engine.listOrders({ parentId: iceberg.algoId });
    expect(children.length).toBeGreaterThanOrEqual(9);
    expect(children.every((order) => decimal(order.quantity).lte('0.12'))).toBe(true);
  });
});

describe('iceberg execution', () => {
  it('rests its slices passively at the touch when its limit would cross: every fill is a maker fill, none above the limit', async () => {
    const session = await algoSession({ seed: 9 });
    const { engine, clock, events } = session;
    const start = clock.now();
    // The limit is 10 ticks above the market: a slice at the limit would take the ask on every refill.
    const iceberg = engine.submitAlgo({ kind: 'iceberg', symbol: 'BTC/USDT', side: 'buy', quantity: '0.5', limitPrice: '50001', displayQuantity: '0.05' });
    while (engine.getAlgo(iceberg.algoId)!.live && clock.now() < start + 4 * HOUR) session.runUntil(clock.now() + 10_000);
    expect(engine.getAlgo(iceberg.algoId)).toMatchObject({ status: 'completed', filledQuantity: '0.5' });
    const fills = events.filter((event) => event.type === 'OrderFilled' && event.parentId === iceberg.algoId);
    expect(fills.length).toBeGreaterThan(0);
    for (const fill of fills) {
      expect(fill.type === 'OrderFilled' && fill.liquidity, `${fill.type === 'OrderFilled' ? fill.tradeId : ''}`).toBe('maker');
      expect(fill.type === 'OrderFilled' && decimal(fill.fillPrice).lte('50001')).toBe(true);
    }
    // Slices were shown below the limit (at the bid) and followed it when it moved away.
    const prices = new Set(engine.listOrders({ parentId: iceberg.algoId }).map((order) => order.price));
    expect(prices.size).toBeGreaterThan(1);
  });
});

describe('refusing a bad plan', () => {
  it('lists every reason and sends nothing', async () => {
    const { engine, events } = await algoSession();
    const before = events.length;
    const refusal = (request: unknown) => {
      try {
        engine.submitAlgo(request as never);
      } catch (error) {
        expect(error).toBeInstanceOf(AlgoParamsError);
        return (error as AlgoParamsError).issues;
      }
      throw new Error('not refused');
    };
    expect(refusal({ kind: 'twap', symbol: 'DOGE/USDT', side: 'buy', quantity: '1', horizonMs: MINUTE, intervalMs: MINUTE })).toEqual(['unknown symbol DOGE/USDT']);
    const issues = refusal({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', horizonMs: MINUTE, intervalMs: HOUR, limitPrice: '50000.05', style: 'maker' });
    expect(issues).toEqual(expect.arrayContaining([expect.stringContaining('shorter than one interval'), expect.stringContaining('limitPrice')]));
    expect(refusal({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', horizonMs: HOUR, intervalMs: MINUTE })).toEqual([expect.stringContaining('below the minimum 0.001')]);
    // The smallest child checked as an order: below the minimum notional of 5 USDT.
    expect(refusal({ kind: 'pov', symbol: 'BTC/USDT', side: 'buy', quantity: '1', targetRate: '0.1', minSlice: '0.0001', maxSlice: '0.1' }).join(' ')).toContain('minSlice');
    expect(refusal({ kind: 'iceberg', symbol: 'BTC/USDT', side: 'buy', quantity: '1', limitPrice: '1', displayQuantity: '0.001' }).join(' ')).toContain('notional');
    expect(refusal({ kind: 'twap', parentId: 'mine', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: HOUR, intervalMs: MINUTE })).toEqual([expect.stringContaining('parentId is given by the engine')]);
    expect(events.length).toBe(before);
    expect(engine.listAlgos()).toEqual([]);
    expect(engine.listOrders()).toEqual([]);
  });
});

describe('pause, resume, amend and cancel', () => {
  it('pause cancels the working children and holds the schedule; resume goes on; an amended quantity is what it ends with', async () => {
    const session = await algoSession({ seed: 4 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const twap = engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 10 * MINUTE, intervalMs: MINUTE });
    session.runUntil(start + 2.5 * MINUTE);
    const paused = engine.pauseAlgo(twap.algoId);
    expect(paused.status).toBe('paused');
    session.runUntil(clock.now() + MINUTE);
    const whilePaused = engine.getAlgo(twap.algoId)!;
    expect(engine.listOrders({ parentId: twap.algoId, live: true })).toEqual([]);
    session.runUntil(start + 6 * MINUTE);
    expect(engine.getAlgo(twap.algoId)!.filledQuantity).toBe(whilePaused.filledQuantity);
    expect(engine.getAlgo(twap.algoId)!.childrenSent).toBe(whilePaused.childrenSent);
    expect(() => engine.resumeAlgo('fs-nothing')).toThrow('no algo with id "fs-nothing"');
    expect(() => engine.amendAlgo(twap.algoId, { quantity: '0.0005' })).toThrow(AlgoParamsError);
    expect(engine.resumeAlgo(twap.algoId).status).toBe('working');
    expect(() => engine.resumeAlgo(twap.algoId)).toThrow(AlgoStateError);
    expect(engine.amendAlgo(twap.algoId, { quantity: '1.5' }).quantity).toBe('1.5');
    session.runUntil(start + 11 * MINUTE);
    const done = engine.getAlgo(twap.algoId)!;
    expect(done).toMatchObject({ status: 'completed', filledQuantity: '1.5' });
    expect(childFills(events, twap.algoId).quantity.toFixed()).toBe('1.5');
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['AlgoPaused', 'AlgoResumed', 'AlgoAmended']));
  });

  it('cancel cancels the resting children, keeps the fills and ends canceled', async () => {
    const session = await algoSession({ seed: 6 });
    const { engine, clock, events } = session;
    const start = clock.now();
    // Maker slices at the touch: some fill as the market trades through them, the last rests.
    const twap = engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'sell', quantity: '2', horizonMs: HOUR, intervalMs: 5 * MINUTE, style: 'maker', limitPrice: '50001' });
    session.runUntil(start + 21 * MINUTE);
    const working = engine.listOrders({ parentId: twap.algoId, live: true });
    expect(working.length).toBe(1);
    const canceled = engine.cancelAlgo(twap.algoId, 'enough');
    expect(['stopping', 'canceled']).toContain(canceled.status);
    session.runUntil(clock.now() + 10_000);
    const done = engine.getAlgo(twap.algoId)!;
    expect(done).toMatchObject({ status: 'canceled', reason: 'enough', workingQuantity: '0' });
    expect(engine.getOrder(working[0]!.orderId)!.status).toBe('canceled');
    const filled = childFills(events, twap.algoId).quantity;
    expect(done.filledQuantity).toBe(filled.toFixed());
    expect(filled.gt(ZERO) && filled.lt('2')).toBe(true);
    session.runUntil(clock.now() + 10 * MINUTE);
    expect(engine.listOrders({ parentId: twap.algoId }).length).toBe(done.childrenSent);
    expect(() => engine.cancelAlgo(twap.algoId)).toThrow(AlgoStateError);
  });
});
