// Binance spot OCO placement, pure: which leg is above and which below for every pair of leg types Binance
// takes, and the request body written with exactly the legs' own decimal strings.
import { describe, expect, it } from 'vitest';
import { binanceOcoParams, binanceOcoPlacement } from '../../../adapters/ccxt/binance-order-lists.ts';
import type { VenueOrder, VenueOrderList } from '../../../adapters/venue.ts';
import { limitOrder } from './support.ts';

const list = (orders: VenueOrder[]): VenueOrderList => ({ listId: 'fs-L', kind: 'oco', symbol: 'BTC/USDT', orders });
const ids = { list: 'fs-L', above: 'fs-L-A', below: 'fs-L-B' };

/** The request body for the list, or the refusal. */
function bodyOf(orders: VenueOrder[]): Record<string, string> | string {
  const placement = binanceOcoPlacement(list(orders));
  return 'issue' in placement ? placement.issue : binanceOcoParams(placement, 'BTCUSDT', ids);
}

describe('Binance spot OCO placement', () => {
  it('a sell puts its target above and its stop below, each with only the fields its type takes', () => {
    const target = limitOrder('t', { side: 'sell', type: 'takeProfitLimit', stopPrice: '52000.10', price: '52000.00', timeInForce: 'IOC', quantity: '0.01000' });
    const stop = limitOrder('s', { side: 'sell', type: 'stopLimit', stopPrice: '48000.5', price: '47990', timeInForce: 'FOK', quantity: '0.01000' });
    expect(bodyOf([stop, target])).toEqual({
      symbol: 'BTCUSDT',
      listClientOrderId: 'fs-L',
      side: 'SELL',
      quantity: '0.01000',
      aboveType: 'TAKE_PROFIT_LIMIT',
      aboveClientOrderId: 'fs-L-A',
      abovePrice: '52000.00',
      aboveStopPrice: '52000.10',
      aboveTimeInForce: 'IOC',
      belowType: 'STOP_LOSS_LIMIT',
      belowClientOrderId: 'fs-L-B',
      belowPrice: '47990',
      belowStopPrice: '48000.5',
      belowTimeInForce: 'FOK',
      newOrderRespType: 'RESULT',
    });
  });

  it('a buy puts its stop above and its target below; market-kind legs carry a stop price and no price', () => {
    const target = limitOrder('t', { side: 'buy', type: 'takeProfit', stopPrice: '47000', price: undefined });
    const stop = limitOrder('s', { side: 'buy', type: 'stop', stopPrice: '53000', price: undefined });
    expect(bodyOf([target, stop])).toEqual({
      symbol: 'BTCUSDT',
      listClientOrderId: 'fs-L',
      side: 'BUY',
      quantity: '0.01',
      aboveType: 'STOP_LOSS',
      aboveClientOrderId: 'fs-L-A',
      aboveStopPrice: '53000',
      belowType: 'TAKE_PROFIT',
      belowClientOrderId: 'fs-L-B',
      belowStopPrice: '47000',
      newOrderRespType: 'RESULT',
    });
    const maker = limitOrder('m', { side: 'buy', type: 'limit', price: '47000', postOnly: true });
    expect(bodyOf([maker, stop])).toMatchObject({ belowType: 'LIMIT_MAKER', belowPrice: '47000', aboveType: 'STOP_LOSS' });
    expect(bodyOf([maker, stop])).not.toHaveProperty('belowTimeInForce');
  });

  it('compares levels as decimals, not as text, and needs the above level strictly above', () => {
    const stop = (stopPrice: string) => limitOrder('s', { side: 'sell', type: 'stop', stopPrice, price: undefined });
    const maker = (price: string) => limitOrder('m', { side: 'sell', type: 'limit', price, postOnly: true });
    expect(bodyOf([maker('100000'), stop('99999.99')])).toMatchObject({ abovePrice: '100000', belowStopPrice: '99999.99' });
    expect(bodyOf([maker('9.5'), stop('10')])).toMatch(/needs its limit leg's price 9.5 above its stop leg's stop price 10/);
    expect(bodyOf([maker('10.0'), stop('10')])).toMatch(/needs its limit leg's price 10.0 above its stop leg's stop price 10/);
    expect(bodyOf([maker('20'), { ...stop('10'), timeInForce: 'IOC' }])).toMatch(/stop leg s has no time in force at Binance; IOC would be dropped/);
    expect(bodyOf([maker('20'), { ...stop('10'), expireAt: 1_800_000_000_000 }])).toMatch(/expiry time/);
    expect(binanceOcoPlacement({ ...list([maker('20'), stop('10')]), kind: 'ouo' as 'oco' })).toEqual({ issue: 'Binance holds only OCO lists natively, not OUO' });
  });
});
