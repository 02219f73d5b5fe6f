import { describe, expect, it } from 'vitest';
import { applyFillToLedger, balance, createLedger, equity, freeBalance, release, reserve, reservationFor, reservationsOf, type Ledger, type LedgerFill } from '../../src/domain/ledger.ts';
import { frozenLedger } from './frozen-ledger.ts';

const buy = (orderId: string, quantity: string, price: string, fee = '0', feeCurrency = 'USDT'): LedgerFill => ({
  orderId, side: 'buy', base: 'BTC', quote: 'USDT', quantity, price, fee, feeCurrency,
});
const sell = (orderId: string, quantity: string, price: string, fee = '0', feeCurrency = 'USDT'): LedgerFill => ({
  orderId, side: 'sell', base: 'BTC', quote: 'USDT', quantity, price, fee, feeCurrency,
});

describe('createLedger and freeBalance', () => {
  it('starts with canonical totals and nothing reserved', () => {
    expect(createLedger({ USDT: '1000.50', BTC: '0' })).toEqual({
      balances: { USDT: { total: '1000.5', reserved: '0' }, BTC: { total: '0', reserved: '0' } },
      reservations: [],
    });
  });

  it('refuses a negative or malformed starting balance', () => {
    expect(() => createLedger({ USDT: '-1' })).toThrow('starting balance of USDT cannot be negative, got -1');
    expect(() => createLedger({ USDT: '1e3' })).toThrow('"1e3" is not a decimal number');
  });

  it('free balance is total minus reserved, 0 for an unseen currency', () => {
    const ledger = reserve(createLedger({ USDT: '1000' }), 'o1', 'USDT', '250.25');
    expect(freeBalance(ledger, 'USDT')).toBe('749.75');
    expect(freeBalance(ledger, 'ETH')).toBe('0');
    expect(balance(ledger, 'USDT')).toEqual({ total: '1000', reserved: '250.25' });
  });
});

describe('reserve and release', () => {
  it('keeps thousands of reservations apart, each found by its order, and nothing left once all are released', () => {
    let ledger = createLedger({ USDT: '1000000' });
    for (let index = 0; index < 5_000; index++) ledger = reserve(frozenLedger(ledger), `order-${index}`, 'USDT', '1.5');
    expect(Object.keys(reservationsOf(ledger))).toHaveLength(5_000);
    expect(reservationFor(ledger, 'order-4321')).toEqual({ currency: 'USDT', amount: '1.5' });
    expect(ledger.balances.USDT).toEqual({ total: '1000000', reserved: '7500' });
    for (let index = 0; index < 5_000; index++) ledger = release(frozenLedger(ledger), `order-${index}`);
    expect(ledger.reservations).toEqual([]);
    expect(ledger.balances.USDT).toEqual({ total: '1000000', reserved: '0' });
  });

  it('reserves exactly the whole free balance', () => {
    const ledger = reserve(frozenLedger(createLedger({ USDT: '1000.5' })), 'o1', 'USDT', '1000.5');
    expect(ledger.balances.USDT).toEqual({ total: '1000.5', reserved: '1000.5' });
    expect(reservationsOf(ledger)).toEqual({ o1: { currency: 'USDT', amount: '1000.5' } });
    expect(freeBalance(ledger, 'USDT')).toBe('0');
  });

  it('refuses more than is free, naming the numbers, and changes nothing', () => {
    const before = frozenLedger(reserve(createLedger({ USDT: '1000.5' }), 'o1', 'USDT', '500'));
    const copy = structuredClone(before);
    expect(() => reserve(before, 'o2', 'USDT', '500.51')).toThrow('insufficient USDT for order o2: free balance 500.5 USDT is below the 500.51 USDT it needs');
    expect(before).toEqual(copy);
    expect(() => reserve(before, 'o2', 'BTC', '0.001')).toThrow('free balance 0 BTC is below the 0.001 BTC it needs');
    expect(before).toEqual(copy);
  });

  it('refuses a second reservation for the same order, and a negative amount', () => {
    const ledger = frozenLedger(reserve(createLedger({ USDT: '1000' }), 'o1', 'USDT', '10'));
    expect(() => reserve(ledger, 'o1', 'USDT', '1')).toThrow('order o1 already has 10 USDT reserved; release it before reserving again');
    expect(() => reserve(ledger, 'o2', 'USDT', '-1')).toThrow('cannot reserve a negative amount for order o2: -1 USDT');
  });

  it('release frees what is left and forgets the order; an unknown id changes nothing', () => {
    const held = frozenLedger(reserve(reserve(createLedger({ USDT: '1000' }), 'o1', 'USDT', '300'), 'o2', 'USDT', '200'));
    const released = release(held, 'o1');
    expect(released.balances).toEqual({ USDT: { total: '1000', reserved: '200' } });
    expect(reservationsOf(released)).toEqual({ o2: { currency: 'USDT', amount: '200' } });
    expect(held.balances.USDT!.reserved).toBe('500');
    expect(release(released, 'o1')).toBe(released);
    expect(release(released, 'nope')).toEqual(released);
  });

  it('order ids and currencies that are Object.prototype names are plain keys', () => {
    let ledger = createLedger({ USDT: '100' });
    ledger = reserve(ledger, 'constructor', 'USDT', '10');
    ledger = reserve(ledger, 'toString', 'USDT', '10');
    expect(freeBalance(ledger, 'USDT')).toBe('80');
    expect(release(ledger, 'hasOwnProperty')).toBe(ledger);
    expect(freeBalance(ledger, 'valueOf')).toBe('0');
    expect(freeBalance(release(ledger, 'constructor'), 'USDT')).toBe('90');
  });

  it('is plain JSON: a round trip through a snapshot keeps working', () => {
    const ledger = reserve(createLedger({ USDT: '1000', BTC: '1' }), 'o1', 'USDT', '100');
    const restored = JSON.parse(JSON.stringify(ledger)) as Ledger;
    expect(restored).toEqual(ledger);
    expect(freeBalance(release(restored, 'o1'), 'USDT')).toBe('1000');
  });
});

describe('applyFillToLedger', () => {
  it('a buy in two fills moves cash exactly and consumes the reservation, fees in quote included', () => {
    // 5 BTC at up to 100 plus a 0.1 % fee: 500.5 USDT held.
    let ledger = frozenLedger(reserve(createLedger({ USDT: '1000', BTC: '0' }), 'o1', 'USDT', '500.5'));
    ledger = frozenLedger(applyFillToLedger(ledger, buy('o1', '2', '100', '0.2')));
    expect(ledger.balances).toEqual({ USDT: { total: '799.8', reserved: '300.3' }, BTC: { total: '2', reserved: '0' } });
    expect(reservationFor(ledger, 'o1')).toEqual({ currency: 'USDT', amount: '300.3' });
    ledger = frozenLedger(applyFillToLedger(ledger, buy('o1', '3', '99.9', '0.2997')));
    expect(ledger.balances).toEqual({ USDT: { total: '499.8003', reserved: '0.3003' }, BTC: { total: '5', reserved: '0' } });
    ledger = release(ledger, 'o1');
    expect(ledger.balances.USDT).toEqual({ total: '499.8003', reserved: '0' });
    expect(reservationsOf(ledger)).toEqual({});
  });

  it('a buy with the fee in base consumes only the quote it spent', () => {
    let ledger = reserve(createLedger({ USDT: '1000' }), 'o1', 'USDT', '300');
    ledger = applyFillToLedger(ledger, buy('o1', '1', '300', '0.001', 'BTC'));
    expect(ledger.balances).toEqual({ USDT: { total: '700', reserved: '0' }, BTC: { total: '0.999', reserved: '0' } });
    expect(reservationFor(ledger, 'o1')?.amount).toBe('0');
  });

  it('a sell consumes the base it sold; the fee comes out of the quote received', () => {
    let ledger = frozenLedger(reserve(createLedger({ BTC: '2', USDT: '0' }), 's1', 'BTC', '2'));
    ledger = applyFillToLedger(ledger, sell('s1', '0.5', '30000', '15'));
    expect(ledger.balances).toEqual({ BTC: { total: '1.5', reserved: '1.5' }, USDT: { total: '14985', reserved: '0' } });
    expect(reservationFor(ledger, 's1')).toEqual({ currency: 'BTC', amount: '1.5' });
  });

  it('a fee in a third currency comes out of that currency and leaves the reservation alone', () => {
    let ledger = reserve(createLedger({ USDT: '1000', BNB: '1' }), 'o1', 'USDT', '100');
    ledger = applyFillToLedger(ledger, buy('o1', '1', '100', '0.015', 'BNB'));
    expect(ledger.balances).toEqual({ USDT: { total: '900', reserved: '0' }, BNB: { total: '0.985', reserved: '0' }, BTC: { total: '1', reserved: '0' } });
  });

  it('a rebate (negative fee) adds to the fee currency and consumes nothing extra', () => {
    let ledger = reserve(createLedger({ USDT: '1000' }), 'o1', 'USDT', '100');
    ledger = applyFillToLedger(ledger, buy('o1', '0.5', '100', '-0.01'));
    expect(ledger.balances.USDT).toEqual({ total: '950.01', reserved: '50' });
  });

  it('never shrinks a reservation below zero: an overspend is recorded as it happened', () => {
    let ledger = reserve(createLedger({ USDT: '1000' }), 'o1', 'USDT', '100');
    ledger = applyFillToLedger(ledger, buy('o1', '1', '150'));
    expect(ledger.balances.USDT).toEqual({ total: '850', reserved: '0' });
    expect(reservationFor(ledger, 'o1')).toEqual({ currency: 'USDT', amount: '0' });
  });

  it('a fill with no reservation (a late fill after release) moves totals only', () => {
    const ledger = applyFillToLedger(createLedger({ USDT: '1000', BTC: '1' }), sell('gone', '1', '100', '0.1'));
    expect(ledger).toEqual({ balances: { USDT: { total: '1099.9', reserved: '0' }, BTC: { total: '0', reserved: '0' } }, reservations: [] });
  });

  it('is exact: three fills of 0.1 at 0.2 cost exactly 0.06', () => {
    let ledger = reserve(createLedger({ USDT: '1' }), 'o1', 'USDT', '0.06');
    for (let index = 0; index < 3; index += 1) ledger = applyFillToLedger(ledger, buy('o1', '0.1', '0.2'));
    expect(ledger.balances.USDT).toEqual({ total: '0.94', reserved: '0' });
    expect(ledger.balances.BTC!.total).toBe('0.3');
  });

  it('refuses a fill with a quantity or price that is not positive', () => {
    const ledger = createLedger({ USDT: '1000' });
    expect(() => applyFillToLedger(ledger, buy('o1', '0', '100'))).toThrow('fill for order o1: quantity must be positive, got 0');
    expect(() => applyFillToLedger(ledger, buy('o1', '1', '-1'))).toThrow('fill for order o1: price must be positive, got -1');
  });
});

describe('equity', () => {
  it('values every total in the quote currency, reserved or not', () => {
    const ledger = reserve(createLedger({ USDT: '1000', BTC: '0.5', ETH: '0' }), 'o1', 'USDT', '400');
    expect(equity(ledger, 'USDT', { BTC: '30000.01' })).toBe('16000.005');
  });

  it('throws naming a currency it cannot value', () => {
    expect(() => equity(createLedger({ USDT: '1000', SOL: '3' }), 'USDT', { BTC: '1' })).toThrow('no price for SOL in USDT: cannot value the balance of 3 SOL');
  });
});
