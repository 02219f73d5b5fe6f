// Properties of order fill accounting: any sequence of partial fills adds up exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { orderMachine } from '../../machines/order.ts';
import { add, decimal, ZERO } from '../../src/domain/decimal.ts';
import { applyFill, classifyFill, emptyFillTotals, remainingQuantity, type Fill } from '../../src/domain/fills.ts';
import { fill, limitOrderInput } from '../support/order-fixtures.ts';

/** Quantities in lots of 0.001 and prices in ticks of 0.01, as a venue would send them. */
const lots = fc.integer({ min: 1, max: 5_000 }).map((n) => decimal(n).times('0.001').toFixed());
const ticks = fc.integer({ min: 1, max: 10_000_000 }).map((n) => decimal(n).times('0.01').toFixed());
const fees = fc.integer({ min: 0, max: 100_000 }).map((n) => decimal(n).times('0.0001').toFixed());
const fillArbitrary = fc.record({ quantity: lots, price: ticks, fee: fees, feeCurrency: fc.constantFrom('USDT', 'BNB') });

function fillsOf(records: Array<Omit<Fill, 'tradeId'>>): Fill[] {
  return records.map((record, index) => ({ ...record, tradeId: `t${index}` }));
}

describe('fill accounting properties', () => {
  it('filled + remaining = quantity, the average is the exact quantity-weighted mean, fees add up', () => {
    fc.assert(
      fc.property(fc.array(fillArbitrary, { minLength: 1, maxLength: 20 }), (records) => {
        const fills = fillsOf(records);
        const quantity = fills.reduce((sum, f) => add(sum, f.quantity), '0');
        let totals = emptyFillTotals(quantity);
        for (const f of fills) {
          expect(['partial', 'complete']).toContain(classifyFill(totals, f));
          totals = applyFill(totals, f);
        }
        expect(totals.filledQuantity).toBe(quantity);
        expect(add(totals.filledQuantity, remainingQuantity(totals))).toBe(quantity);
        const notional = fills.reduce((sum, f) => sum.plus(decimal(f.quantity).times(f.price)), ZERO);
        expect(totals.filledNotional).toBe(notional.toFixed());
        // The mean, rounded only at the 30th decimal place: times the quantity it gives back the notional.
        const average = decimal(totals.averagePrice!);
        expect(average.minus(notional.div(quantity)).abs().toFixed()).toBe('0');
        expect(average.times(quantity).minus(notional).abs().lte(decimal(quantity).times('1e-30'))).toBe(true);
        for (const currency of ['USDT', 'BNB']) {
          const expected = fills.filter((f) => f.feeCurrency === currency).reduce((sum, f) => add(sum, f.fee), '0');
          expect(totals.fees[currency] ?? '0').toBe(expected);
        }
      }),
    );
  });

  it('a fill past the quantity is an overfill and a repeated tradeId a duplicate, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(fillArbitrary, { minLength: 1, maxLength: 10 }), lots, (records, extra) => {
        const fills = fillsOf(records);
        const quantity = fills.reduce((sum, f) => add(sum, f.quantity), '0');
        let totals = emptyFillTotals(quantity);
        for (const f of fills) totals = applyFill(totals, f);
        expect(classifyFill(totals, { ...fills[0]!, quantity: extra })).toBe('duplicate');
        expect(classifyFill(totals, { tradeId: 'new', quantity: extra, price: '1', fee: '0', feeCurrency: 'USDT' })).toBe('overfill');
      }),
    );
  });

  it('fills of 0.1 and 0.2 make exactly 0.3', () => {
    let totals = emptyFillTotals('0.3');
    totals = applyFill(totals, { tradeId: 'a', quantity: '0.1', price: '100', fee: '0.01', feeCurrency: 'USDT' });
    expect(classifyFill(totals, { tradeId: 'b', quantity: '0.2', price: '100', fee: '0.02', feeCurrency: 'USDT' })).toBe('complete');
    totals = applyFill(totals, { tradeId: 'b', quantity: '0.2', price: '100', fee: '0.02', feeCurrency: 'USDT' });
    expect(totals.filledQuantity).toBe('0.3');
    expect(remainingQuantity(totals)).toBe('0');
    expect(totals.fees.USDT).toBe('0.03');
  });

  it('the order actor, fed any split of its quantity in random order with duplicates, ends filled exactly once', () => {
    fc.assert(
      fc.property(fc.array(lots, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), (parts, repeats) => {
        const quantity = parts.reduce((sum, part) => add(sum, part), '0');
        const actor = createActor(orderMachine, { input: limitOrderInput({ quantity }) });
        const filledEvents: string[] = [];
        actor.on('OrderFilled', (event) => filledEvents.push(event.tradeId));
        actor.start();
        actor.send({ type: 'submit' });
        actor.send({ type: 'venue.accepted', venueOrderId: 'v' });
        const sends = parts.map((part, index) => fill(`t${index}`, part));
        for (const repeat of repeats) sends.splice(repeat % (sends.length + 1), 0, sends[repeat % sends.length]!);
        for (const event of sends) actor.send(event);
        const snapshot = actor.getSnapshot();
        expect(snapshot.value).toBe('filled');
        expect(snapshot.context.filledQuantity).toBe(quantity);
        expect(filledEvents).toHaveLength(parts.length);
      }),
    );
  });
});
