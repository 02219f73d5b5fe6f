// The Binance profile on its own: raw payloads read as exact decimals (the examples are Binance's documented
// messages), instruments from exchangeInfo filters, client order id rules, and error codes read as outcomes.
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BinanceProfile } from '../../../adapters/ccxt/binance-profile.ts';

const spot = new BinanceProfile('spot');
const futures = new BinanceProfile('future');

describe('Binance profile', () => {
  it('reads a spot trade execution report as one fill with exact decimals', () => {
    const report = { e: 'executionReport', E: 1499405658658, s: 'ETHBTC', c: 'mUvoqJxFIILMdfAW5iGSOW', S: 'BUY', o: 'LIMIT', f: 'GTC', q: '1.00000000', p: '0.10264410', P: '0.00000000', F: '0.00000000', g: -1, C: '', x: 'TRADE', X: 'PARTIALLY_FILLED', r: 'NONE', i: 4293153, l: '0.30000000', z: '0.30000000', L: '0.10264410', n: '0.00000031', N: 'BNB', T: 1499405658657, t: 221, w: true, m: true, M: false, O: 1499405658657, Z: '0.03079323', Y: '0.03079323', Q: '0.00000000' };
    expect(spot.fillFromStream(report)).toEqual({ exchangeClientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', venueOrderId: '4293153', symbol: 'ETHBTC', tradeId: '221', quantity: '0.3', price: '0.1026441', fee: '0.00000031', feeCurrency: 'BNB', liquidity: 'maker', timestamp: 1499405658657 });
    expect(spot.orderFromRaw(report)).toMatchObject({ status: 'partial', quantity: '1', filledQuantity: '0.3', price: '0.1026441', side: 'buy' });
    expect(spot.fillFromStream({ ...report, x: 'NEW' })).toBeUndefined();
  });

  it('names the canceled order by its own client id, not the cancel request id', () => {
    const canceled = { e: 'executionReport', s: 'BTCUSDT', c: 'cancelRequest42', C: 'my-order-1', S: 'SELL', o: 'LIMIT', q: '0.01000000', p: '60000.00000000', x: 'CANCELED', X: 'CANCELED', i: 9, z: '0.00400000', T: 5 };
    expect(spot.orderFromRaw(canceled)).toMatchObject({ exchangeClientOrderId: 'my-order-1', status: 'canceled', filledQuantity: '0.004' });
  });

  it('reads a futures ORDER_TRADE_UPDATE and an amendment', () => {
    const update = { s: 'BTCUSDT', c: 'TEST', S: 'SELL', o: 'LIMIT', f: 'GTC', q: '0.001', p: '7103.04', ap: '0', sp: '0', x: 'AMENDMENT', X: 'NEW', i: 8886774, l: '0', z: '0', L: '0', T: 1568879465651, t: 0, m: false, R: true };
    expect(futures.orderFromRaw(update)).toMatchObject({ exchangeClientOrderId: 'TEST', status: 'open', quantity: '0.001', price: '7103.04', amended: true, venueOrderId: '8886774' });
  });

  it('builds instruments from PRICE_FILTER, LOT_SIZE and NOTIONAL / MIN_NOTIONAL filters', () => {
    const info = { symbol: 'BTCUSDT', filters: [{ filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' }, { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' }, { filterType: 'NOTIONAL', minNotional: '5.00000000' }] };
    expect(spot.instrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', info }, { maker: '0.001', taker: '0.001' })).toEqual({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001', minQuantity: '0.00001', minNotional: '5', makerFee: '0.001', takerFee: '0.001' });
    const perpetual = { ...info, contractType: 'PERPETUAL', filters: [info.filters[0], info.filters[1], { filterType: 'MIN_NOTIONAL', notional: '100' }] };
    expect(futures.instrument({ symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT', info: perpetual }, { maker: '0.0002', taker: '0.0005' })).toMatchObject({ minNotional: '100' });
    expect(futures.instrument({ symbol: 'BTC/USDT:USDT-261225', base: 'BTC', quote: 'USDT', info: { ...perpetual, contractType: 'CURRENT_QUARTER' } }, { maker: '0', taker: '0' })).toBeUndefined();
  });

  it('checks client order ids against Binance rules and derives cancel-replace ids within them', () => {
    expect(spot.exchangeClientOrderId('fs-abc:1/x.y_z')).toEqual({ id: 'fs-abc:1/x.y_z' });
    expect(spot.exchangeClientOrderId('has space')).toEqual({ issue: expect.stringContaining('Binance, which takes 1 to 36 of letters') });
    expect(spot.exchangeClientOrderId('x'.repeat(37))).toEqual({ issue: expect.stringContaining('not sent') });
    expect(spot.replacementClientOrderId('order-1', 2)).toBe('order-1/r2');
    // A replacement's id names the engine's order (after a restart, when nothing else remembers it).
    expect(spot.engineClientOrderId('fs-abc-p1.sl1/r2')).toBe('fs-abc-p1.sl1');
    expect(spot.engineClientOrderId('fs-abc-p1.sl1')).toBe('fs-abc-p1.sl1');
    expect(spot.replacementClientOrderId('x'.repeat(34), 1)).toBeUndefined();
  });

  it('reads error codes as outcomes: unknown execution status is ambiguous, never a refusal', () => {
    const error = (Type: new (message: string) => Error, body: object) => new Type(`binance ${JSON.stringify(body)}`);
    expect(spot.classifyError(error(ccxt.ExchangeNotAvailable, { code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' }))).toMatchObject({ kind: 'ambiguous' });
    expect(spot.classifyError(new ccxt.NetworkError('binance POST http://127.0.0.1/api/v3/order ECONNRESET'))).toMatchObject({ kind: 'ambiguous' });
    expect(spot.classifyError(error(ccxt.InvalidOrder, { code: -2010, msg: 'Duplicate order sent.' }))).toMatchObject({ kind: 'duplicate' });
    expect(futures.classifyError(error(ccxt.InvalidOrder, { code: -4116, msg: 'ClientOrderId is duplicated.' }))).toMatchObject({ kind: 'duplicate' });
    expect(spot.classifyError(error(ccxt.InvalidOrder, { code: -2010, msg: 'Account has insufficient balance for requested action.' }))).toEqual({ kind: 'refused', reason: 'Account has insufficient balance for requested action.' });
    expect(spot.classifyError(error(ccxt.OrderNotFound, { code: -2013, msg: 'Order does not exist.' }))).toMatchObject({ kind: 'notFound' });
    expect(spot.classifyError(error(ccxt.DDoSProtection, { code: -1003, msg: 'Too many requests' }))).toMatchObject({ kind: 'rateLimited' });
    expect(spot.classifyError(error(ccxt.InvalidNonce, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }))).toMatchObject({ kind: 'clockSkew' });
    expect(spot.classifyError(error(ccxt.AuthenticationError, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }))).toMatchObject({ kind: 'credentials' });
    expect(spot.classifyError(new ccxt.ExchangeError('binance something new'))).toMatchObject({ kind: 'ambiguous' });
    // ccxt maps no OCO shape code to an error class of its own; they are refusals all the same (nothing placed).
    expect(spot.classifyError(error(ccxt.ExchangeError, { code: -1166, msg: 'A limit order in a sell OCO must be above.' }))).toEqual({ kind: 'refused', reason: 'A limit order in a sell OCO must be above.' });
    expect(spot.classifyError(error(ccxt.ExchangeError, { code: -1158, msg: 'Order type not supported in OCO.' }))).toMatchObject({ kind: 'refused' });
  });

  it("takes the request-weight limit from exchangeInfo's rateLimits", () => {
    const body = JSON.stringify({ rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }, { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 }] });
    expect(spot.weightLimitFrom('https://api.binance.com/api/v3/exchangeInfo', body)).toBe(6000);
    expect(spot.weightLimitFrom('https://api.binance.com/api/v3/account', body)).toBeUndefined();
  });

  it("declares capabilities from ccxt's features, narrowed to what the adapter sends", () => {
    const make = (profile: BinanceProfile) => profile.createExchange({ apiKey: 'k', secret: 's', testnet: false, urls: { rest: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1' }, recvWindowMs: 5000 });
    expect(spot.capabilities(make(spot), [])).toEqual({ orderTypes: ['market', 'limit'], timeInForce: ['GTC', 'IOC', 'FOK'], postOnly: true, reduceOnly: false, amend: true });
    expect(futures.capabilities(make(futures), [])).toMatchObject({ reduceOnly: true, amend: true });
  });
});
