// Positions on the paper venue: from a signal to a protected position, through break-even and trailing to
// its stop; one-cancels-other take-profits; partial take-profits resizing the stop; halting.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { decimal, ZERO } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import type { MarketData } from '../../src/domain/market-data.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type EngineOptions } from '../../src/engine/engine.ts';
import type { PositionPlan } from '../../src/risk/protection.ts';
import { MAX_FAILED_EXITS } from '../../machines/position.ts';

const btc = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

/** A book around `bid` (5 levels of 5 BTC each side, one tick spread) and a small trade at the touch. */
function ticksAt(bid: string, time: number): MarketData[] {
  const best = decimal(bid);
  const levels = (direction: 1 | -1, start: typeof best) =>
    [0, 1, 2, 3, 4].map((index) => ({ price: start.plus(btc.tickSize.times(String(index * direction))), quantity: decimal('5') }));
  return [
    { type: 'quote', symbol: btc.symbol, timestamp: time, bids: levels(-1, best), asks: levels(1, best.plus(btc.tickSize)) },
    { type: 'trade', symbol: btc.symbol, timestamp: time, price: best, quantity: decimal('0.01'), aggressor: 'sell' },
  ];
}

async function session(options: Partial<EngineOptions> = {}, balances: Record<string, string> = { USDT: '100000', BTC: '0' }) {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new PaperVenue({ clock, instruments: [btc], balances, orderLatencyMs: 5, reportLatencyMs: 5 });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'e', ...options });
  await engine.start();
  const events: DomainEvent[] = [];
  engine.subscribe((event) => events.push(event));
  /** Moves the market to each bid in turn, 100 ms apart, letting every latency timer fire. */
  const walk = (...bids: string[]) => {
    for (const bid of bids) {
      clock.advanceBy(100);
      for (const tick of ticksAt(bid, clock.now())) venue.onMarketData(tick);
    }
    clock.advanceBy(100);
  };
  /** One quote: `bidSize` BTC bid at `bid` (none when '0'), 5 BTC asked 10 above; then reports are delivered. */
  const thinQuote = (bid: string, bidSize: string) => {
    clock.advanceBy(100);
    const bids = bidSize === '0' ? [] : [{ price: decimal(bid), quantity: decimal(bidSize) }];
    venue.onMarketData({ type: 'quote', symbol: btc.symbol, timestamp: clock.now(), bids, asks: [{ price: decimal(bid).plus('10'), quantity: decimal('5') }] });
    clock.advanceBy(100);
  };
  walk('50000');
  return { clock, venue, engine, events, walk, thinQuote };
}

const signalPlan: PositionPlan = {
  stopLoss: { method: 'atr', multiple: '2' },
  breakEven: { trigger: { kind: 'rMultiple', multiple: '1' } },
  trailing: { distance: { kind: 'percent', percent: '1' }, activation: { kind: 'rMultiple', multiple: '2' } },
};

describe('positions on the paper venue', () => {
  it('opens a long from a signal with an ATR stop, moves through breakEven and trailing, and closes on its stop', async () => {
    const { engine, events, walk } = await session({ signals: { sizing: { method: 'risk', riskFraction: '0.005' }, plan: signalPlan } });
    const outcome = engine.submitSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '0.8', atr: '250' });
    // Sized at the last price (50000): 0.5 % of 100000 equity at risk over a 2 x 250 stop distance.
    expect(outcome).toMatchObject({ status: 'opened', quantity: '1', stopPrice: '49500' });
    if (outcome.status !== 'opened') throw new Error('not opened');
    walk('50000');
    const opened = engine.getPosition(outcome.positionId)!;
    expect(opened).toMatchObject({ status: 'open', stopPhase: 'initial', quantity: '1', averageEntryPrice: '50000.1', stopPrice: '49500.1' });
    expect(engine.getOrder(opened.stopOrderId!)).toMatchObject({ status: 'emulated', type: 'stop', side: 'sell', quantity: '1' });

    const phases: string[] = [];
    const record = () => phases.push(engine.getPosition(outcome.positionId)!.stopPhase ?? engine.getPosition(outcome.positionId)!.status);
    walk('50300'); record();
    walk('50500.1'); record(); // 1R in profit: the stop goes to entry plus fees
    expect(engine.getPosition(outcome.positionId)!.stopPrice).toBe('50100.3'); // 50000.1 x 1.001 / 0.999, up a tick
    walk('50800'); record();
    walk('51000.1'); record(); // 2R: the stop starts trailing 1 % behind the best bid
    walk('51500'); record();
    expect(engine.getPosition(outcome.positionId)!.stopPrice).toBe('50985');
    walk('51200', '50990'); record();
    walk('50980', '50970'); record(); // through the trailing stop: it is released as a market sell
    expect(phases).toEqual(['initial', 'breakEven', 'breakEven', 'trailing', 'trailing', 'trailing', 'closed']);

    const closed = engine.getPosition(outcome.positionId)!;
    expect(closed).toMatchObject({ status: 'closed', exitReason: 'trailing', quantity: '0' });
    // The expected PnL, from the fills themselves: sells minus buys minus every fee.
    const fills = events.filter((event) => event.type === 'OrderFilled');
    const cash = fills.reduce((sum, fill) => {
      const notional = decimal(fill.fillQuantity).times(fill.fillPrice);
      const side = engine.getOrder(fill.orderId)!.side;
      return (side === 'sell' ? sum.plus(notional) : sum.minus(notional)).minus(fill.fee);
    }, ZERO);
    expect(decimal(closed.realizedPnl).minus(closed.fees).toFixed()).toBe(cash.toFixed());
    expect(cash.gt(ZERO)).toBe(true);
    const [trade] = engine.trades();
    expect(trade).toMatchObject({ id: outcome.positionId, exitReason: 'trailing', quantity: '1', realizedPnl: cash.toFixed() });
    // Nothing of the position is left working, and the account holds the cash the fills say.
    expect(engine.listOrders({ live: true })).toEqual([]);
    expect(engine.account().balances.USDT).toEqual({ total: decimal('100000').plus(cash).toFixed(), reserved: '0' });
  });

  it('cancels the stop when the take-profit fills (one-cancels-other)', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '0.5',
      plan: { stopLoss: { method: 'percent', percent: '1' }, takeProfit: [{ target: { method: 'percent', percent: '1' }, fraction: '1' }] },
    });
    walk('50000');
    const open = engine.getPosition(positionId)!;
    const [takeProfitId] = open.takeProfitOrderIds;
    expect(engine.getOrder(takeProfitId!)).toMatchObject({ status: 'open', type: 'limit', price: '50500.1', quantity: '0.5' });
    walk('50300', '50600'); // the book crosses the take-profit's price
    expect(engine.getOrder(takeProfitId!)?.status).toBe('filled');
    expect(engine.getOrder(open.stopOrderId!)).toMatchObject({ status: 'canceled' });
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'takeProfit' });
  });

  it('resizes the stop after a partial take-profit', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '1',
      plan: {
        stopLoss: { method: 'percent', percent: '1' },
        takeProfit: [
          { target: { method: 'percent', percent: '1' }, fraction: '0.4' },
          { target: { method: 'percent', percent: '3' }, fraction: '0.6' },
        ],
      },
    });
    walk('50000');
    const stopOrderId = engine.getPosition(positionId)!.stopOrderId!;
    walk('50600');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'open', quantity: '0.6', sizePhase: 'scaled' });
    expect(engine.getOrder(stopOrderId)).toMatchObject({ status: 'emulated', quantity: '0.6' });
  });

  it('halts: working entries are canceled, new orders denied, cancels still pass, protective stops stay', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.2', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    walk('50000');
    const entry = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '49000' });
    const other = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '48000' });
    walk('50000');
    engine.halt('operator kill switch');
    walk('50000');
    expect(engine.tradingState()).toBe('halted');
    expect(engine.getOrder(entry.orderId)?.status).toBe('canceled');
    expect(engine.getOrder(other.orderId)?.status).toBe('canceled');
    const stopOrderId = engine.getPosition(positionId)!.stopOrderId!;
    expect(engine.getOrder(stopOrderId)?.status).toBe('emulated');
    const before = engine.account();
    const denied = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '49000' });
    expect(denied.denial).toMatchObject({ reason: 'tradingHalted' });
    expect(engine.getOrder(denied.orderId)).toMatchObject({ status: 'denied' });
    expect(engine.account()).toEqual(before);
    // Cancels still pass, and the position can still be closed.
    engine.closePosition(positionId);
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'manual' });
    expect(engine.getOrder(stopOrderId)?.status).toBe('canceled');
  });

  it('emergency close-all closes every position at market and keeps stops until the close fills', async () => {
    const { engine, walk, events } = await session();
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.3', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    walk('50000');
    const stopOrderId = engine.getPosition(positionId)!.stopOrderId!;
    engine.closeAll();
    expect(engine.getPosition(positionId)?.status).toBe('closing');
    expect(engine.getOrder(stopOrderId)?.status).toBe('emulated');
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'emergency' });
    expect(engine.getOrder(stopOrderId)?.status).toBe('canceled');
    expect(events.some((event) => event.type === 'PositionClosed' && event.exitReason === 'emergency')).toBe(true);
  });

  it('denies an order over a risk limit with the numbers, leaving the ledger and venue untouched', async () => {
    const { engine, venue } = await session({ risk: { maxNotional: '10000' } });
    const before = engine.account();
    const venueBalances = await venue.balances();
    const at = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.2', price: '50000' });
    expect(at.denial).toBeUndefined();
    const beyond = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.201', price: '50000' });
    expect(beyond.denial).toMatchObject({ reason: 'notionalAboveMaximum', limit: '10000', actual: '10050' });
    expect(engine.getOrder(beyond.orderId)).toMatchObject({ status: 'denied' });
    expect(engine.getOrder(beyond.orderId)?.reason).toContain('10050');
    const after = engine.account();
    // Only the first order's reservation changed the ledger.
    expect(after.balances.USDT!.total).toBe(before.balances.USDT!.total);
    expect(decimal(after.balances.USDT!.reserved).toFixed()).toBe(decimal('0.2').times('50000').times('1.001').toFixed());
    expect(await venue.balances()).toEqual(venueBalances);
  });

  it('refuses a signal it cannot size, saying why, and opens nothing', async () => {
    const { engine } = await session({ signals: { sizing: { method: 'risk', riskFraction: '0.01' }, plan: { stopLoss: { method: 'atr', multiple: '2' } } } });
    expect(engine.submitSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '0.5' })).toEqual({
      status: 'refused',
      reason: "the plan's ATR stop needs atr, and none was given",
    });
    expect(engine.submitSignal({ symbol: 'BTC/USDT', action: 'close', confidence: '1' })).toEqual({ status: 'refused', reason: 'no open position in BTC/USDT to close' });
    expect(() => engine.submitSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '1.5', atr: '100' })).toThrow('confidence must be from 0 to 1, got 1.5');
    expect(engine.listPositions()).toEqual([]);
    expect(engine.listOrders()).toEqual([]);
  });

  it('measures execution from the signal: fill rate, slippage against the arrival price, time to the first fill', async () => {
    const { engine, events, walk, clock } = await session({ signals: { sizing: { method: 'fixedAmount', amount: '5000' } } });
    const signalTime = clock.now();
    const arrival = engine.marketPrice('BTC/USDT')!.toFixed();
    const outcome = engine.submitSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '0.9' });
    if (outcome.status !== 'opened') throw new Error(`not opened: ${JSON.stringify(outcome)}`);
    // A plain resting order that never fills counts in the fill rate, not in the signal figures.
    engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '40000' });
    walk('50000');
    const fills = events.flatMap((event) => (event.type === 'OrderFilled' && event.orderId === outcome.entryOrderId ? [event] : []));
    expect(fills.length).toBeGreaterThan(0);
    const first = fills[0]!;
    const filled = fills.reduce((total, fill) => total.plus(fill.fillQuantity), ZERO);
    const average = fills.reduce((total, fill) => total.plus(decimal(fill.fillQuantity).times(fill.fillPrice)), ZERO).div(filled);
    const perUnit = average.minus(arrival);
    const signals = engine.executionQuality({ signalsOnly: true });
    expect(signals).toMatchObject({
      orders: 1,
      filledOrders: 1,
      fillRate: '1',
      slippageCost: perUnit.times(filled).round(10).toFixed(),
      timeToFirstFillMs: { mean: first.timestamp - signalTime, median: first.timestamp - signalTime },
    });
    expect(signals.slippageBasisPoints?.weighted).toBe(perUnit.div(arrival).times('10000').round(10).toFixed());
    expect(first.timestamp - signalTime).toBeGreaterThan(0); // the paper venue's latency
    const all = engine.executionQuality();
    expect(all.orders).toBe(2);
    expect(all.fillRate).toBe(filled.div(filled.plus('0.1')).round(10).toFixed());
  });

  it('supervises: a position or an order that throws is restored to where it was, marked for reconciliation, and the fault recorded', async () => {
    // The faults are logged at error level; kept out of the test output.
    const { engine, walk, clock } = await session({ logger: pino({ level: 'silent' }) });
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.2', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    walk('50000');
    const before = engine.getPosition(positionId)!;
    expect(before).toMatchObject({ status: 'open', stopPhase: 'initial', quantity: '0.2' });
    const failing = engine.getPositionActor(positionId)!;
    // A malformed fill makes the position's accounting throw inside its transition.
    failing.send({ type: 'fill', orderId: 'x', side: 'sell', quantity: 'not a number', price: '1', fee: '0', timestamp: clock.now() });
    expect(failing.getSnapshot().status).toBe('error');
    // Supervision runs after the failing transition, before anything else reaches the engine.
    await Promise.resolve();
    const restored = engine.getPositionActor(positionId)!;
    expect(restored).not.toBe(failing);
    expect(engine.getPosition(positionId)).toEqual(before);
    expect(engine.positionsToReconcile()).toEqual([positionId]);
    expect(engine.faults()).toEqual([
      { actorId: `position:${positionId}`, message: expect.stringContaining('fill quantity must be a decimal string'), at: clock.now(), restoredTo: JSON.stringify({ open: { stop: 'initial', size: 'base' } }) },
    ]);
    // The restored position still works: it closes on request, and its stop goes with it.
    engine.closePosition(positionId);
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0' });
    expect(engine.getOrder(before.stopOrderId!)?.status).toBe('canceled');

    const resting = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '49000' });
    walk('50000');
    resting.actor!.send({ type: 'venue.filled', tradeId: 't-bad', quantity: 'nonsense', price: '49000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    await Promise.resolve();
    expect(engine.getOrder(resting.orderId)?.status).toBe('open');
    expect(engine.ordersToReconcile()).toEqual([resting.orderId]);
    expect(engine.faults()[1]).toMatchObject({ actorId: `order:${resting.orderId}`, restoredTo: 'open' });
    expect(engine.cancelOrder(resting.orderId).actor!.getSnapshot().value).toBe('pendingCancel');
  });

  it('a scale-in fill resizes both the stop and the take-profit (one-cancels-other follows the size)', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '1',
      plan: {
        stopLoss: { method: 'percent', percent: '2' },
        takeProfit: [{ target: { method: 'percent', percent: '3' }, fraction: '1' }],
        scaleIn: { fraction: '0.5', levels: 1, spacing: { kind: 'percent', percent: '0.5' }, schedule: 'equal' },
      },
    });
    walk('50000');
    const open = engine.getPosition(positionId)!;
    const [takeProfitId] = open.takeProfitOrderIds;
    const scaleIn = engine.listOrders({ parentId: positionId }).find((order) => order.orderId.endsWith('.si1'))!;
    // 0.5 % under the 50000.1 entry, rounded down to the tick: it never pays more than planned.
    expect(scaleIn).toMatchObject({ status: 'open', side: 'buy', type: 'limit', price: '49750', quantity: '0.5' });
    walk('49700');
    expect(engine.getOrder(scaleIn.orderId)?.status).toBe('filled');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'open', quantity: '1.5', sizePhase: 'scaled' });
    expect(engine.getOrder(open.stopOrderId!)).toMatchObject({ status: 'emulated', quantity: '1.5' });
    expect(engine.getOrder(takeProfitId!)).toMatchObject({ status: 'open', quantity: '1.5' });
  });

  it('a manual partial close shrinks the take-profit ladder in its planned proportions', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '1',
      plan: {
        stopLoss: { method: 'percent', percent: '2' },
        takeProfit: [
          { target: { method: 'percent', percent: '2' }, fraction: '0.25' },
          { target: { method: 'percent', percent: '4' }, fraction: '0.75' },
        ],
      },
    });
    walk('50000');
    const [first, second] = engine.getPosition(positionId)!.takeProfitOrderIds;
    engine.closePosition(positionId, { quantity: '0.6' });
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'open', quantity: '0.4' });
    expect(engine.getOrder(first!)).toMatchObject({ status: 'open', quantity: '0.1' });
    expect(engine.getOrder(second!)).toMatchObject({ status: 'open', quantity: '0.3' });
    expect(engine.getOrder(engine.getPosition(positionId)!.stopOrderId!)).toMatchObject({ quantity: '0.4' });
  });

  it('a full close cancels the take-profits that hold the quantity on a spot venue, and the exit fills', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '0.5',
      plan: { stopLoss: { method: 'percent', percent: '2' }, takeProfit: [{ target: { method: 'percent', percent: '2' }, fraction: '1' }] },
    });
    walk('50000');
    const [takeProfitId] = engine.getPosition(positionId)!.takeProfitOrderIds;
    engine.closePosition(positionId);
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0', exitReason: 'manual' });
    expect(engine.getOrder(takeProfitId!)?.status).toBe('canceled');
    expect(engine.listOrders({ live: true })).toEqual([]);
  });

  it('a fired stop cancels the take-profit that holds the quantity on a spot venue before it sells, so the venue does not refuse it', async () => {
    const { engine, events, walk } = await session();
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '0.5',
      plan: { stopLoss: { method: 'percent', percent: '1' }, takeProfit: [{ target: { method: 'percent', percent: '2' }, fraction: '1' }] },
    });
    walk('50000');
    const { stopOrderId, takeProfitOrderIds: [takeProfitId] } = engine.getPosition(positionId)!;
    expect(engine.getOrder(takeProfitId!)).toMatchObject({ status: 'open', quantity: '0.5' }); // holds the 0.5 BTC at the venue
    walk('49400'); // through the stop at 49500.1
    expect(engine.getOrder(takeProfitId!)?.status).toBe('canceled');
    expect(engine.getOrder(stopOrderId!)).toMatchObject({ status: 'filled', filledQuantity: '0.5' });
    expect(events.filter((event) => event.type === 'OrderRejected')).toEqual([]);
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'stop', quantity: '0' });
  });

  it('an exit the book cannot fill is sent again at the next market data, until the position is flat', async () => {
    const { clock, engine, events, walk, thinQuote } = await session();
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.5' });
    walk('50000');
    const thinBook = (size: string) => thinQuote('49990', size);
    thinBook('0.2');
    engine.closePosition(positionId);
    clock.advanceBy(100);
    const exits = () => engine.listOrders().filter((order) => order.parentId === positionId && order.orderId.includes('.x'));
    // The book held 0.2: the rest of the market exit was canceled, and nothing is sent until the book changes.
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closing', quantity: '0.3' });
    expect(exits().map((order) => [order.status, order.filledQuantity])).toEqual([['canceled', '0.2']]);
    clock.advanceBy(1_000);
    expect(exits()).toHaveLength(1);
    thinBook('0.2');
    expect(exits().map((order) => [order.status, order.filledQuantity])).toEqual([['canceled', '0.2'], ['canceled', '0.2']]);
    thinBook('5');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0', exitReason: 'manual' });
    expect(exits().map((order) => order.filledQuantity)).toEqual(['0.2', '0.2', '0.1']);
    const changes = events.flatMap((event) => (event.type === 'PositionChanged' && event.change.startsWith('exit') ? [event.change] : []));
    expect(changes).toEqual(['exitRetryPending', 'exitRetryPending']);
  });

  it('a stop that fires into a thin book sells the rest at the next market data, without amending the stop mid-fill', async () => {
    const { engine, events, walk, thinQuote } = await session();
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.5', plan: { stopLoss: { method: 'percent', percent: '1' } } });
    walk('50000');
    thinQuote('49400', '0.1'); // through the stop at 49500.1, with 0.1 BTC bid: the stop sells 0.1, the rest is canceled
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closing', quantity: '0.4' });
    thinQuote('49400', '5');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0', exitReason: 'stop' });
    // Its own partial fill is no reason to amend the stop that is filling.
    expect(events.filter((event) => event.type === 'OrderPendingUpdate')).toEqual([]);
    expect(engine.listOrders({ live: true })).toEqual([]);
  });

  it('one exit at a time: a partial close waits for a working exit, a full close replaces it, and the position never flips', async () => {
    const { engine, walk } = await session();
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.5', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    walk('50000');
    engine.closePosition(positionId, { quantity: '0.3' }); // its exit is on its way to the venue
    expect(() => engine.closePosition(positionId, { quantity: '0.3' })).toThrow(/has exit order fs-e-p1\.x\d+ working; a partial close waits/);
    engine.closePosition(positionId); // the full close: the partial exit is canceled (or fills), then the rest goes
    walk('50000', '50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0' });
    expect(engine.listPositions()).toHaveLength(1); // nothing sold beyond the position: no short was opened
    const sold = engine.listOrders().filter((order) => order.side === 'sell').reduce((total, order) => total.plus(order.filledQuantity), ZERO);
    expect(sold.toFixed()).toBe('0.5');
    expect(engine.listOrders({ live: true })).toEqual([]);
  });

  it(`stops sending exits after ${MAX_FAILED_EXITS} in a row fill nothing, says so, and tries again when asked to close`, async () => {
    const { engine, events, walk, thinQuote } = await session();
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.5' });
    walk('50000');
    const emptyBids = () => thinQuote('50000', '0');
    emptyBids();
    engine.closePosition(positionId);
    for (let tick = 0; tick < MAX_FAILED_EXITS + 3; tick++) emptyBids();
    const exits = () => engine.listOrders().filter((order) => order.parentId === positionId && order.orderId.includes('.x'));
    expect(exits()).toHaveLength(MAX_FAILED_EXITS);
    expect(exits().every((order) => order.status === 'canceled' && order.filledQuantity === '0')).toBe(true);
    expect(events.filter((event) => event.type === 'PositionChanged' && event.change === 'exitFailed')).toHaveLength(1);
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closing', quantity: '0.5' });
    // Asked again, with a book that has bids: it closes.
    engine.closePosition(positionId);
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0' });
  });

  it("a fill that takes the day's loss beyond the limit halts trading and cancels working entries; at the limit it does not", async () => {
    /** Buys 1 BTC at the ask, lets the market fall 500, then a small fill makes the engine value the account. */
    const dayWithLimit = async (limit: string) => {
      const { engine, walk } = await session({ risk: { dailyLossLimit: limit }, logger: pino({ level: 'silent' }) });
      engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' });
      walk('50000');
      const start = decimal(engine.account().equity!);
      const resting = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' });
      walk('49500');
      engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001' });
      walk('49500');
      const loss = start.minus(engine.account().equity!);
      return { engine, loss, resting };
    };
    const probe = await dayWithLimit('1000000');
    expect(probe.engine.tradingState()).toBe('active');
    const loss = probe.loss.toFixed();
    expect(probe.loss.gt('400')).toBe(true);

    const atLimit = await dayWithLimit(loss);
    expect(atLimit.engine.tradingState()).toBe('active');
    const beyond = await dayWithLimit(decimal(loss).minus('0.01').toFixed());
    expect(beyond.engine.tradingState()).toBe('halted');
    expect(beyond.engine.account().reason).toContain(`dailyLossLimit: loss since the day's start ${loss}`);
    expect(beyond.engine.getOrder(beyond.resting.orderId)?.status).toBe('canceled');
    expect(beyond.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' }).denial).toMatchObject({ reason: 'tradingHalted' });
  });

  it('shows unrealized PnL at the latest price, and a margin position its leverage and liquidation estimate', async () => {
    const { engine, walk } = await session();
    expect(() => engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', margin: { leverage: '0.5', maintenanceMarginRate: '0.005' } })).toThrow(
      'margin: leverage must be at least 1, got 0.5',
    );
    expect(engine.listPositions()).toEqual([]);
    const { positionId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', margin: { leverage: '10', maintenanceMarginRate: '0.005' } });
    walk('50000');
    walk('50200');
    const view = engine.getPosition(positionId)!;
    expect(view).toMatchObject({ status: 'open', averageEntryPrice: '50000.1', markPrice: '50200', notional: '50200', unrealizedPnl: '199.9' });
    // entry × (1 − 1/leverage + maintenance rate) = 50000.1 × 0.905
    expect(view.margin).toEqual({ leverage: '10', maintenanceMarginRate: '0.005', liquidationPrice: '45250.0905', liquidationPriceSource: 'estimate' });
    engine.closePosition(positionId);
    walk('50200');
    const closed = engine.getPosition(positionId)!;
    expect(closed.unrealizedPnl).toBeUndefined();
    expect(closed.margin?.liquidationPrice).toBeUndefined();
  });

  it('nets per instrument: a sell while a long entry still works and nothing is held supersedes it with a short', async () => {
    const { engine, walk } = await session({}, { USDT: '100000', BTC: '1' });
    const { positionId, entryOrderId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.2', entry: { type: 'limit', price: '49000' } });
    walk('50000');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'opening', quantity: '0' });
    engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.1' });
    walk('50000');
    expect(engine.getOrder(entryOrderId)?.status).toBe('canceled');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0' });
    const [short] = engine.listPositions({ open: true });
    expect(short).toMatchObject({ direction: 'short', status: 'open', quantity: '0.1', averageEntryPrice: '50000' });
    // A buy larger than the short flips it: the short closes and a long holds exactly the excess.
    engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.25' });
    walk('50000');
    expect(engine.getPosition(short!.positionId)).toMatchObject({ status: 'closed', quantity: '0' });
    const [long] = engine.listPositions({ open: true });
    expect(long).toMatchObject({ direction: 'long', quantity: '0.15' });
    expect(engine.trades().map((trade) => [trade.id, trade.side, trade.quantity])).toEqual([[short!.positionId, 'sell', '0.1']]);
  });

  it('manual stop and take-profit updates go through the amendment gate, and move the nearest working rung', async () => {
    const { engine, walk, clock } = await session({ risk: { amendRate: { count: 1, windowMs: 60_000 } } });
    const { positionId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '1',
      plan: {
        stopLoss: { method: 'percent', percent: '2' },
        takeProfit: [
          { target: { method: 'percent', percent: '1' }, fraction: '0.5' },
          { target: { method: 'percent', percent: '3' }, fraction: '0.5' },
        ],
      },
    });
    walk('50000');
    const { stopOrderId, takeProfitOrderIds } = engine.getPosition(positionId)!;
    engine.updateStop(positionId, '49600');
    walk('50000');
    expect(engine.getOrder(stopOrderId!)).toMatchObject({ stopPrice: '49600' });
    // The one amendment the minute allows is spent: refused with the reason, nothing recorded.
    expect(() => engine.updateStop(positionId, '49700')).toThrow(/amendRateExceeded/);
    expect(engine.getPosition(positionId)!.stopPrice).toBe('49600');
    walk('50600'); // the first take-profit fills
    expect(engine.getOrder(takeProfitOrderIds[0]!)?.status).toBe('filled');
    // The stop follows the size although the amend rate is spent: a stop larger than the position would flip it.
    expect(engine.getOrder(stopOrderId!)).toMatchObject({ status: 'emulated', quantity: '0.5' });
    walk('50000');
    clock.advanceBy(60_000); // the rate window passes
    engine.updateTakeProfit(positionId, '52000');
    walk('50000');
    expect(engine.getOrder(takeProfitOrderIds[1]!)).toMatchObject({ status: 'open', price: '52000', quantity: '0.5' });
  });
});

