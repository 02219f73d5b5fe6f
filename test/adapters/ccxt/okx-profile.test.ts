// The OKX profile on its own: v5 payloads (shaped as OKX's documents show them) read as exact decimals, the
// clOrdId rule, instruments from tickSz/lotSz/minSz, and error codes read as outcomes.
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { OkxProfile } from '../../../adapters/ccxt/okx-profile.ts';
import { profileFor } from '../../../adapters/ccxt/profiles.ts';

const okx = new OkxProfile('spot', { passphrase: 'p' });

// An `orders` channel push of a partial fill (fields as in OKX's v5 documents; fee charged is negative).
const push = {
  instType: 'SPOT', instId: 'BTC-USDT', ordId: '312269865356374016', clOrdId: 'b1', tag: '', px: '50000.1', sz: '0.01', ordType: 'limit', side: 'buy', tdMode: 'cash',
  accFillSz: '0.003', fillPx: '50000.1', tradeId: '242589207', fillSz: '0.003', fillTime: '1597026383085', fillFee: '-0.000003', fillFeeCcy: 'BTC', execType: 'M',
  state: 'partially_filled', avgPx: '50000.1', fee: '-0.000003', feeCcy: 'BTC', amendResult: '', uTime: '1597026383085', cTime: '1597026383085', code: '0', msg: '',
};

describe('OKX profile', () => {
  it('reads an orders push as the order state and one fill, with exact decimals and the fee as a charge', () => {
    expect(okx.orderFromRaw(push)).toEqual({ exchangeClientOrderId: 'b1', venueOrderId: '312269865356374016', symbol: 'BTC-USDT', side: 'buy', type: 'limit', status: 'partial', quantity: '0.01', filledQuantity: '0.003', price: '50000.1', timestamp: 1597026383085 });
    expect(okx.fillFromStream(push)).toEqual({ exchangeClientOrderId: 'b1', venueOrderId: '312269865356374016', symbol: 'BTC-USDT', tradeId: '242589207', quantity: '0.003', price: '50000.1', fee: '0.000003', feeCurrency: 'BTC', liquidity: 'maker', timestamp: 1597026383085 });
    // A push without a tradeId (accepted, canceled, amended) is no fill; an amend's push says so.
    expect(okx.fillFromStream({ ...push, tradeId: '', fillSz: '0' })).toBeUndefined();
    expect(okx.orderFromRaw({ ...push, tradeId: '', amendResult: '0', state: 'live' })).toMatchObject({ status: 'open', amended: true });
    expect(okx.orderFromRaw({ ...push, state: 'canceled' })).toMatchObject({ status: 'canceled' });
    // The answer of POST trade/order carries ids only: it is no order state.
    expect(okx.orderFromRaw({ ordId: '1', clOrdId: 'b1', tag: '', ts: '1', sCode: '0', sMsg: '' })).toBeUndefined();
  });

  it('reads a trade/fills row and an account/balance payload', () => {
    const row = { instType: 'SPOT', instId: 'BTC-USDT', tradeId: '123', ordId: '312269865356374016', clOrdId: 'b1', billId: '9', fillPx: '49999.9', fillSz: '0.00201001', side: 'buy', execType: 'T', feeCcy: 'BTC', fee: '-0.00000201001', ts: '1597026383085' };
    expect(okx.fillFromRest(row)).toEqual({ venueOrderId: '312269865356374016', symbol: 'BTC-USDT', tradeId: '123', quantity: '0.00201001', price: '49999.9', fee: '0.00000201001', feeCurrency: 'BTC', liquidity: 'taker', timestamp: 1597026383085 });
    const balance = { code: '0', msg: '', data: [{ totalEq: '1', details: [{ ccy: 'USDT', cashBal: '100000.5', frozenBal: '500.25', eq: '100000.5' }, { ccy: 'ETH', cashBal: '0', frozenBal: '0' }] }] };
    expect(okx.balancesFromRaw(balance)).toEqual([{ currency: 'USDT', total: '100000.5', reserved: '500.25' }]);
  });

  it('takes instruments from tickSz, lotSz and minSz, live SPOT only', () => {
    const info = { instType: 'SPOT', instId: 'BTC-USDT', baseCcy: 'BTC', quoteCcy: 'USDT', tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001', state: 'live' };
    expect(okx.instrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', info }, { maker: '0.0008', taker: '0.001' })).toEqual({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.00000001', minQuantity: '0.00001', minNotional: '0', makerFee: '0.0008', takerFee: '0.001' });
    expect(okx.instrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', info: { ...info, state: 'suspend' } }, { maker: '0', taker: '0' })).toBeUndefined();
  });

  it('sends clOrdIds OKX carries as they are, encodes engine ids into 32 letters and digits, and maps them back', () => {
    expect(okx.exchangeClientOrderId('abc123XYZ')).toEqual({ id: 'abc123XYZ' });
    expect(okx.exchangeClientOrderId('a'.repeat(32))).toEqual({ id: 'a'.repeat(32) });
    for (const engineId of ['fs-mi0x2k3c-17', 'fs-mi0x2k3c-p12.sl1', 'fs-mi0x2k3c-p12.tp0', 'fs-mi0x2k3c-p3.e1', `${'a'.repeat(29)}.`, 'Zulu1']) {
      const mapped = okx.exchangeClientOrderId(engineId);
      expect(mapped, engineId).toEqual({ id: expect.stringMatching(/^Z[A-Za-z0-9]{1,31}$/) });
      expect(okx.engineClientOrderId((mapped as { id: string }).id)).toBe(engineId);
    }
    // Ids sent as they are map back to themselves; so does an id from elsewhere that is no encoding of ours.
    expect(okx.engineClientOrderId('abc123XYZ')).toBe('abc123XYZ');
    expect(okx.engineClientOrderId('Z0abc')).toBe('Z0abc');
    // Too long to encode within 32, or not an id at all: refused with the reason, never cut.
    expect(okx.exchangeClientOrderId('fs-' + 'x'.repeat(33))).toEqual({ issue: expect.stringMatching(/too long to encode within 32 characters; not sent/) });
    expect(okx.exchangeClientOrderId('')).toEqual({ issue: expect.stringContaining('OKX, which takes 1 to 32 letters and digits') });
    expect(okx.amendStyle).toBe('native');
    expect(okx.replacementClientOrderId()).toBeUndefined();
  });

  it('reads error codes as outcomes: an endpoint timeout is ambiguous, never a refusal', () => {
    const failure = (code: string, msg: string) => new ccxt.ExchangeError(`okx {"code":"1","data":[{"clOrdId":"b1","ordId":"","sCode":"${code}","sMsg":"${msg}","tag":""}],"msg":""}`);
    expect(okx.classifyError(failure('51016', 'Duplicated clOrdId'))).toEqual({ kind: 'duplicate', reason: '51016: Duplicated clOrdId' });
    expect(okx.classifyError(failure('51008', 'Insufficient balance'))).toMatchObject({ kind: 'refused' });
    expect(okx.classifyError(new ccxt.OrderNotFound('okx {"code":"51603","data":[],"msg":"Order does not exist"}'))).toMatchObject({ kind: 'notFound' });
    expect(okx.classifyError(new ccxt.RequestTimeout('okx {"code":"50004","data":[],"msg":"Endpoint request timeout"}'))).toMatchObject({ kind: 'ambiguous' });
    expect(okx.classifyError(new ccxt.ExchangeNotAvailable('okx {"code":"50013","data":[],"msg":"System is busy"}'))).toMatchObject({ kind: 'ambiguous' });
    expect(okx.classifyError(new ccxt.RateLimitExceeded('okx {"code":"50011","data":[],"msg":"Too Many Requests"}'))).toMatchObject({ kind: 'rateLimited' });
    expect(okx.classifyError(new ccxt.InvalidNonce('okx {"code":"50102","data":[],"msg":"Timestamp request expired"}'))).toMatchObject({ kind: 'clockSkew' });
    expect(okx.classifyError(new ccxt.AuthenticationError('okx {"code":"50113","data":[],"msg":"Invalid Sign"}'))).toMatchObject({ kind: 'credentials' });
    expect(okx.classifyError(new ccxt.ExchangeError('okx {"code":"59999","msg":"something new"}'))).toMatchObject({ kind: 'ambiguous' });
  });

  it("weighs each call by its endpoint's own OKX limit within a 6000-per-minute budget", () => {
    // trade/order allows 60 per 2 s (1800 a minute), trade/fills-history 10 per 2 s (300 a minute).
    expect(6000 / okx.weightOf('createOrder')).toBeLessThanOrEqual(1800);
    expect(6000 / okx.weightOf('fetchMyTrades')).toBeLessThanOrEqual(300);
    expect(6000 / okx.weightOf('fetchBalance')).toBeLessThanOrEqual(300);
  });

  it('is named okx in the profiles, spot only, and needs the passphrase', () => {
    expect(profileFor('okx', 'spot', { passphrase: 'p' })).toBeInstanceOf(OkxProfile);
    expect(() => profileFor('okx', 'future', { passphrase: 'p' })).toThrow(/only the spot market/);
    expect(() => new OkxProfile('spot').createExchange({ apiKey: 'k', secret: 's', testnet: false, recvWindowMs: 5000 })).toThrow(/passphrase is required/);
  });
});
