// Order request validation: every bad input gets its own specific message.
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { OrderRequestError, parseOrderRequest, validateOrderRequest, type OrderRequestInput } from '../../src/domain/order-request.ts';

const instrument = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});
const now = Date.UTC(2026, 0, 1);

function problems(input: unknown, marketPrice = '50000'): string {
  try {
    const request = parseOrderRequest(input);
    validateOrderRequest(request, { instrument, now, marketPrice: decimal(marketPrice) });
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(OrderRequestError);
    return (error as Error).message;
  }
}

const limitBuy: OrderRequestInput = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.5', price: '49000' };

describe('order request validation', () => {
  it('accepts a well-formed limit order and fills in defaults', () => {
    expect(problems(limitBuy)).toBe('accepted');
    const request = parseOrderRequest({ ...limitBuy, quantity: 0.5, price: '49000.0' });
    expect(request).toMatchObject({ quantity: '0.5', price: '49000', timeInForce: 'GTC', postOnly: false, reduceOnly: false });
    expect(parseOrderRequest({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' }).timeInForce).toBe('IOC');
  });

  it.each([
    ['zero', '0', 'quantity must be a positive multiple of 0.001, got 0'],
    ['negative', '-1', 'quantity must be a positive multiple of 0.001, got -1'],
    ['off the lot', '0.0005', 'quantity must be a positive multiple of 0.001, got 0.0005'],
    ['NaN', Number.NaN, 'quantity must be a finite number, got NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'quantity must be a finite number, got Infinity'],
    ['non-numeric', 'lots', 'quantity must be a decimal number, got "lots"'],
    ['an exponent', '1e3', 'quantity must be a decimal number, got "1e3"'],
    ['a boolean', true, 'quantity must be a decimal string or number, got boolean'],
  ])('refuses a %s quantity', (_, quantity, message) => {
    expect(problems({ ...limitBuy, quantity })).toBe(message);
  });

  it('refuses a price off the tick, a missing price and an unknown field', () => {
    expect(problems({ ...limitBuy, price: '49000.05' })).toBe('price 49000.05 is not a multiple of the tick size 0.1');
    expect(problems({ ...limitBuy, price: undefined })).toBe('price is required for a limit order');
    expect(problems({ ...limitBuy, leverage: 5 })).toMatch(/Unrecognized key.*leverage/);
  });

  it('refuses a stop on the wrong side of the market, with the numbers', () => {
    const sellStop = { symbol: 'BTC/USDT', side: 'sell', type: 'stop', quantity: '0.5', stopPrice: '51000' };
    expect(problems(sellStop)).toBe('stop price 51000 is above the market (50000) for a sell stop');
    expect(problems({ ...sellStop, side: 'buy', stopPrice: '49000' })).toBe('stop price 49000 is below the market (50000) for a buy stop');
    expect(problems({ ...sellStop, type: 'takeProfit', stopPrice: '49000' })).toBe('stop price 49000 is below the market (50000) for a sell take-profit');
    expect(problems({ ...sellStop, stopPrice: '49000' })).toBe('accepted');
  });

  it('refuses orders below the minimum notional, past expiries and contradictory flags', () => {
    expect(problems({ ...limitBuy, quantity: '0.0001' })).toMatch(/positive multiple of 0.001/);
    expect(problems({ ...limitBuy, quantity: '0.001', price: '4000' })).toBe('notional 4 USDT is below the minimum 5 for BTC/USDT');
    expect(problems({ ...limitBuy, timeInForce: 'GTD', expireAt: now })).toMatch(/^expireAt 2026-01-01T00:00:00.000Z is not in the future/);
    expect(problems({ ...limitBuy, timeInForce: 'GTD' })).toBe('expireAt is required with timeInForce GTD');
    expect(problems({ ...limitBuy, postOnly: true, timeInForce: 'IOC' })).toBe('postOnly cannot be combined with IOC: a post-only order must rest');
    expect(problems({ symbol: 'BTC/USDT', side: 'sell', type: 'trailingStop', quantity: '1' })).toBe(
      'a trailingStop order needs exactly one of trailingOffset or trailingPercent',
    );
    expect(problems({ symbol: 'BTC/USDT', side: 'sell', type: 'trailingStop', quantity: '1', trailingPercent: '100' })).toBe(
      'trailingPercent must be above 0 and below 100, got 100',
    );
  });

  it('reports every problem at once', () => {
    expect(problems({ ...limitBuy, quantity: '0', price: '1.05' })).toBe(
      'quantity must be a positive multiple of 0.001, got 0; price 1.05 is not a multiple of the tick size 0.1',
    );
  });
});
