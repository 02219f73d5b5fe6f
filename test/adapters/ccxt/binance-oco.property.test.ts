// Properties of Binance OCO handling: the adapter's placement takes a list exactly when its above level is
// over its below level and writes every number as the text it was given; the simulator's OCO keeps one
// reservation for both legs, so under any interleaving of partial fills, a trigger and a cancel nothing is
// locked twice, nothing goes negative, and what no leg used is released once the list is done.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binanceOcoParams, binanceOcoPlacement } from '../../../adapters/ccxt/binance-order-lists.ts';
import type { VenueOrder } from '../../../adapters/venue.ts';
import { decimal } from '../../../src/domain/decimal.ts';
import { ExchangeBook } from '../../fixtures/binance-simulator/exchange-book.ts';
import { OcoLists } from '../../fixtures/binance-simulator/order-lists.ts';
import { DEFAULT_SYMBOLS } from '../../fixtures/binance-simulator/simulator.ts';
import { limitOrder } from './support.ts';

/** A price as text: whole units and cents, sometimes with trailing zeros. */
const priceText = fc.tuple(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('', '0', '00')).map(([whole, cents, pad]) => `${whole}.${String(cents).padStart(2, '0')}${pad}`);
const quantityText = fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.constantFrom('', '0')).map(([units, pad]) => `0.${String(units).padStart(5, '0')}${pad}`);

describe('Binance OCO placement, for any prices', () => {
  it('takes the list exactly when the above level is over the below level, and sends each number as given', () => {
    fc.assert(
      fc.property(fc.constantFrom('buy' as const, 'sell' as const), fc.constantFrom('limit' as const, 'takeProfit' as const, 'takeProfitLimit' as const), fc.constantFrom('stop' as const, 'stopLimit' as const), priceText, priceText, priceText, priceText, quantityText, (side, targetType, stopType, targetLevel, stopLevel, targetLimit, stopLimit, quantity) => {
        const target: VenueOrder = limitOrder('t', { side, type: targetType, quantity, postOnly: targetType === 'limit', price: targetType === 'limit' ? targetLevel : targetType === 'takeProfitLimit' ? targetLimit : undefined, ...(targetType === 'limit' ? {} : { stopPrice: targetLevel }) });
        const stop: VenueOrder = limitOrder('s', { side, type: stopType, quantity, stopPrice: stopLevel, price: stopType === 'stopLimit' ? stopLimit : undefined });
        const placement = binanceOcoPlacement({ listId: 'L', kind: 'oco', symbol: 'BTC/USDT', orders: [target, stop] });
        const [above, below] = side === 'sell' ? [targetLevel, stopLevel] : [stopLevel, targetLevel];
        if (!decimal(above).gt(decimal(below))) {
          expect(placement).toHaveProperty('issue');
          return;
        }
        if ('issue' in placement) throw new Error(placement.issue);
        const body = binanceOcoParams(placement, 'BTCUSDT', { list: 'L', above: 'A', below: 'B' });
        const [aboveLeg, belowLeg] = side === 'sell' ? ['above', 'below'] : ['below', 'above'];
        expect(body.side).toBe(side.toUpperCase());
        expect(body.quantity).toBe(quantity);
        expect(body[targetType === 'limit' ? `${aboveLeg}Price` : `${aboveLeg}StopPrice`]).toBe(targetLevel);
        expect(body[`${belowLeg}StopPrice`]).toBe(stopLevel);
        if (targetType === 'takeProfitLimit') expect(body[`${aboveLeg}Price`]).toBe(targetLimit);
        if (stopType === 'stopLimit') expect(body[`${belowLeg}Price`]).toBe(stopLimit);
      }),
      { numRuns: 1500 },
    );
  });
});

type Step = { readonly kind: 'fillTarget' | 'fillStop'; readonly thousandths: number } | { readonly kind: 'trigger' } | { readonly kind: 'cancel' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom('fillTarget' as const, 'fillStop' as const), thousandths: fc.integer({ min: 1, max: 20 }) }),
  fc.constant({ kind: 'trigger' as const }),
  fc.constant({ kind: 'cancel' as const }),
);

describe("the simulator's OCO balance, under any interleaving", () => {
  it('locks once, never goes negative, and releases what no leg used once the list is done', () => {
    fc.assert(
      fc.property(fc.constantFrom('BUY' as const, 'SELL' as const), fc.array(step, { maxLength: 12 }), (side, steps) => {
        const book = new ExchangeBook('spot', DEFAULT_SYMBOLS, { USDT: '100000', BTC: '2' }, () => 1_000);
        const lists = new OcoLists(book, () => 1_000);
        book.marketMoved('BTCUSDT', decimal('50000'));
        const quantity = '0.02';
        const params = new URLSearchParams(
          side === 'SELL'
            ? { symbol: 'BTCUSDT', side, quantity, listClientOrderId: 'L', aboveType: 'LIMIT_MAKER', abovePrice: '52000', aboveClientOrderId: 'T', belowType: 'STOP_LOSS_LIMIT', belowStopPrice: '48000', belowPrice: '47900', belowTimeInForce: 'GTC', belowClientOrderId: 'S' }
            : { symbol: 'BTCUSDT', side, quantity, listClientOrderId: 'L', aboveType: 'STOP_LOSS_LIMIT', aboveStopPrice: '52000', abovePrice: '52100', aboveTimeInForce: 'GTC', aboveClientOrderId: 'S', belowType: 'LIMIT_MAKER', belowPrice: '48000', belowClientOrderId: 'T' },
        );
        lists.place(params, () => ({}));
        const leg = (id: string) => book.orders.get(book.byClientId.get(id)!)!;
        const working = (id: string) => ['NEW', 'PARTIALLY_FILLED'].includes(leg(id).status) && leg(id).working;
        const reserved = side === 'SELL' ? 'BTC' : 'USDT';
        let spent = decimal(0);
        for (const next of steps) {
          if (next.kind === 'trigger') book.marketMoved('BTCUSDT', decimal(side === 'SELL' ? '47950' : '52050'));
          if (next.kind === 'cancel' && book.lists.get(1)!.listOrderStatus === 'EXECUTING') lists.cancel(new URLSearchParams({ symbol: 'BTCUSDT', listClientOrderId: 'L' }), () => ({}));
          if (next.kind === 'fillTarget' || next.kind === 'fillStop') {
            const id = next.kind === 'fillTarget' ? 'T' : 'S';
            const qty = decimal(String(next.thousandths)).div('1000');
            if (working(id) && decimal(leg(id).origQty).minus(leg(id).executedQty).gte(qty)) {
              const trade = book.fill(leg(id).orderId, qty.toFixed());
              spent = spent.plus(side === 'SELL' ? trade.qty : trade.quoteQty);
            }
          }
          const balance = book.balance(reserved);
          expect(balance.locked.gte('0')).toBe(true);
          expect(balance.free.gte('0')).toBe(true);
          // What left the account is exactly what traded; nothing is locked twice.
          expect(balance.free.plus(balance.locked).toFixed()).toBe(decimal(side === 'SELL' ? '2' : '100000').minus(spent).toFixed());
          expect(['T', 'S'].filter((id) => decimal(leg(id).executedQty).gt('0')).length).toBeLessThanOrEqual(1);
          // One lock for the list: what the legs have not executed, once (a buy's at the dearer leg's price).
          const unexecuted = ['T', 'S'].reduce((left, id) => left.minus(leg(id).executedQty), decimal(quantity));
          const listWorks = ['T', 'S'].some((id) => ['NEW', 'PARTIALLY_FILLED'].includes(leg(id).status));
          expect(balance.locked.toFixed()).toBe(listWorks ? (side === 'SELL' ? unexecuted : unexecuted.times('52100')).toFixed() : '0');
        }
      }),
      { numRuns: 400 },
    );
  });
});
