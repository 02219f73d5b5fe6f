// A venue that holds stops and trailing stops itself gets them natively: the position's stop and, once it
// trails, its trailing stop are sent to the venue (not held by the engine), the fixed stop canceled after.
import { describe, expect, it } from 'vitest';
import { ManualVenue } from '../../adapters/manual/manual-venue.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';

const btc = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

describe('venue-native trailing stops', () => {
  it('places the stop and then the trailing stop at a venue that supports them, and closes on its fill', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
    const venue = new ManualVenue({
      instruments: [btc], now: () => clock.now(), balances: { USDT: '1000000', BTC: '0' },
      capabilities: { orderTypes: ['market', 'limit', 'stop', 'trailingStop'] },
    });
    const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'n' });
    await engine.start();
    const trade = (price: string) => venue.publishMarketData({ type: 'trade', symbol: btc.symbol, timestamp: clock.now(), price: decimal(price), quantity: decimal('0.1'), aggressor: 'buy' });
    const fill = (clientOrderId: string, quantity: string, price: string, tradeId: string) =>
      venue.report({ type: 'filled', clientOrderId, tradeId, quantity, price, fee: '0', feeCurrency: 'USDT', liquidity: 'taker' });
    trade('50000');
    const { positionId, entryOrderId } = engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '1',
      plan: { stopLoss: { method: 'percent', percent: '2' }, trailing: { distance: { kind: 'percent', percent: '1' }, activation: { kind: 'percent', percent: '1' } } },
    });
    venue.report({ type: 'accepted', clientOrderId: entryOrderId, venueOrderId: 'v1' });
    fill(entryOrderId, '1', '50000', 't1');
    const stopOrderId = engine.getPosition(positionId)!.stopOrderId!;
    // The fixed stop went to the venue as a stop order: the engine does not hold it.
    expect(venue.commands.at(-1)).toEqual({ type: 'submit', order: expect.objectContaining({ clientOrderId: stopOrderId, type: 'stop', side: 'sell', quantity: '1', stopPrice: '49000', reduceOnly: true }) });
    expect(engine.getOrder(stopOrderId)?.status).toBe('submitted');
    venue.report({ type: 'accepted', clientOrderId: stopOrderId, venueOrderId: 'v2' });

    trade('50500'); // 1 % in profit: the stop starts trailing, at the venue
    const trailing = engine.getPosition(positionId)!;
    expect(trailing.stopPhase).toBe('trailing');
    const trailingOrderId = trailing.stopOrderId!;
    const commands = venue.commands.slice(-2);
    expect(commands[0]).toEqual({
      type: 'submit',
      order: expect.objectContaining({ clientOrderId: trailingOrderId, type: 'trailingStop', side: 'sell', quantity: '1', trailingPercent: '1', reduceOnly: true }),
    });
    // The fixed stop is canceled only after the trailing one was sent: never a moment without a stop.
    expect(commands[1]).toEqual({ type: 'cancel', clientOrderId: stopOrderId });
    expect(engine.getOrder(trailingOrderId)?.status).toBe('submitted');
    venue.report({ type: 'accepted', clientOrderId: trailingOrderId, venueOrderId: 'v3' });
    venue.report({ type: 'canceled', clientOrderId: stopOrderId, reason: 'canceled by the user' });

    fill(trailingOrderId, '1', '50400', 't2');
    expect(engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'trailing', quantity: '0', realizedPnl: '400' });
  });
});
