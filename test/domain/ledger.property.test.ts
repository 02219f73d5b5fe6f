// Model-based property of the cash ledger: random reserves, releases and fills against a plain model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, decimal, type Decimal } from '../../src/domain/decimal.ts';
import { applyFillToLedger, createLedger, freeBalance, release, reservationFor, reservationsOf, reserve, type Ledger } from '../../src/domain/ledger.ts';
import { frozenLedger } from './frozen-ledger.ts';

const CURRENCIES = ['USDT', 'BTC', 'BNB'] as const;
const ORDERS = ['o0', 'o1', 'o2', 'o3', 'o4'];

const units = (max: number, places: number) => fc.integer({ min: 0, max }).map((n) => decimal(n).div(decimal(10).pow(places)));

const operation = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), order: fc.constantFrom(...ORDERS), side: fc.constantFrom('buy' as const, 'sell' as const), usdt: units(1_500_000, 2), btc: units(3_000, 3), amount: fc.constantFrom('drawn' as const, 'allFree' as const, 'justAboveFree' as const) }),
  fc.record({ kind: fc.constant('release' as const), order: fc.constantFrom(...ORDERS) }),
  fc.record({
    kind: fc.constant('fill' as const),
    order: fc.constantFrom(...ORDERS),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    quantity: fc.integer({ min: 1, max: 2_000 }).map((n) => decimal(n).times('0.001')),
    price: fc.integer({ min: 1, max: 100_000 }).map((n) => decimal(n).times('0.01')),
    fee: units(1_000, 4),
    feeCurrency: fc.constantFrom(...CURRENCIES),
  }),
);

const start = fc.record({ USDT: units(2_000_000, 2), BTC: units(5_000, 3), BNB: units(1_000, 3) });


describe('ledger properties', () => {
  it('totals move only by fills and fees, reserved is the sum of reservations and stays within [0, total], a refused reserve changes nothing', () => {
    fc.assert(
      fc.property(start, fc.array(operation, { maxLength: 40 }), (initial, operations) => {
        let ledger = frozenLedger(createLedger({ USDT: initial.USDT.toFixed(), BTC: initial.BTC.toFixed(), BNB: initial.BNB.toFixed() }));
        // The model: totals and what each order still holds, kept independently of the ledger.
        const totals = new Map<string, Decimal>(CURRENCIES.map((currency) => [currency, initial[currency]]));
        const held = new Map<string, { currency: string; amount: Decimal }>();
        const total = (currency: string) => totals.get(currency) ?? ZERO;
        const reservedIn = (currency: string) => [...held.values()].filter((r) => r.currency === currency).reduce((sum, r) => sum.plus(r.amount), ZERO);
        const free = (currency: string) => total(currency).minus(reservedIn(currency));

        for (const op of operations) {
          const before = structuredClone(ledger);
          if (op.kind === 'reserve') {
            const currency = op.side === 'buy' ? 'USDT' : 'BTC';
            // Drawn at random, or exactly the free balance (passes), or one smallest unit more (refused).
            const unit = decimal(op.side === 'buy' ? '0.01' : '0.001');
            const amount = op.amount === 'drawn' ? (op.side === 'buy' ? op.usdt : op.btc) : op.amount === 'allFree' ? free(currency) : free(currency).plus(unit);
            if (held.has(op.order) || amount.gt(free(currency))) {
              expect(() => reserve(ledger, op.order, currency, amount.toFixed())).toThrow(held.has(op.order) ? 'already has' : `insufficient ${currency}`);
              expect(ledger).toEqual(before);
              continue;
            }
            ledger = reserve(ledger, op.order, currency, amount.toFixed());
            held.set(op.order, { currency, amount });
          } else if (op.kind === 'release') {
            ledger = release(ledger, op.order);
            held.delete(op.order);
          } else {
            // The side follows the order's reservation when it has one (USDT held: a buy, BTC held: a sell).
            const reservation = held.get(op.order);
            const side = reservation === undefined ? op.side : reservation.currency === 'USDT' ? 'buy' : 'sell';
            const notional = op.quantity.times(op.price);
            const [spentCurrency, spent, gotCurrency, got] = side === 'buy' ? ['USDT', notional, 'BTC', op.quantity] : ['BTC', op.quantity, 'USDT', notional];
            let consumed = ZERO;
            if (reservation !== undefined) {
              if (reservation.currency === spentCurrency) consumed = consumed.plus(spent);
              if (reservation.currency === op.feeCurrency) consumed = consumed.plus(op.fee);
            }
            const freed = reservation === undefined ? ZERO : consumed.gt(reservation.amount) ? reservation.amount : consumed;
            // A venue only fills what the account can pay for: skip fills that would leave free balance negative.
            const freeAfter = (currency: string) => {
              let value = free(currency);
              if (currency === spentCurrency) value = value.minus(spent);
              if (currency === gotCurrency) value = value.plus(got);
              if (currency === op.feeCurrency) value = value.minus(op.fee);
              if (reservation !== undefined && currency === reservation.currency) value = value.plus(freed);
              return value;
            };
            if (CURRENCIES.some((currency) => freeAfter(currency).lt(ZERO))) continue;
            ledger = applyFillToLedger(ledger, {
              orderId: op.order, side, base: 'BTC', quote: 'USDT',
              quantity: op.quantity.toFixed(), price: op.price.toFixed(), fee: op.fee.toFixed(), feeCurrency: op.feeCurrency,
            });
            totals.set(spentCurrency, total(spentCurrency).minus(spent));
            totals.set(gotCurrency, total(gotCurrency).plus(got));
            totals.set(op.feeCurrency, total(op.feeCurrency).minus(op.fee));
            if (reservation !== undefined) held.set(op.order, { currency: reservation.currency, amount: reservation.amount.minus(freed) });
          }
          ledger = frozenLedger(ledger);
          if (op.kind !== 'fill') {
            // Reserving and releasing never move a total.
            for (const currency of CURRENCIES) expect(ledger.balances[currency]?.total).toBe(before.balances[currency]?.total);
          }

          for (const currency of CURRENCIES) {
            const record = ledger.balances[currency] ?? { total: '0', reserved: '0' };
            expect(record.total).toBe(total(currency).toFixed());
            expect(record.reserved).toBe(reservedIn(currency).toFixed());
            const reserved = decimal(record.reserved);
            expect(reserved.gte(ZERO)).toBe(true);
            expect(reserved.lte(decimal(record.total))).toBe(true);
            expect(decimal(freeBalance(ledger, currency)).gte(ZERO)).toBe(true);
          }
          expect(Object.keys(reservationsOf(ledger)).sort()).toEqual([...held.keys()].sort());
          for (const [order, reservation] of held) {
            expect(reservationFor(ledger, order)).toEqual({ currency: reservation.currency, amount: reservation.amount.toFixed() });
            expect(reservation.amount.gte(ZERO)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
