// Order lists: specs refused whole with their reasons, and the rule that sizes every contingent leg.
import { describe, expect, it } from 'vitest';
import { addChild, applyChildFill, EMPTY_LEDGER, type ChildLedger } from '../../src/domain/algo-children.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { legTargets, OrderListError, parseOrderListSpec, reconcileLegs, releaseDue, type OrderListSpec } from '../../src/domain/order-list.ts';

const BTC = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '0', makerFee: '0', takerFee: '0' });
const bracket = { kind: 'bracket', listId: 'b1', symbol: 'BTC/USDT', entry: { side: 'buy', type: 'limit', quantity: '1', price: '100' }, takeProfit: { side: 'sell', type: 'limit', price: '110' }, stopLoss: { side: 'sell', type: 'stop', stopPrice: '95' } };

function reasons(input: unknown): string[] {
  try {
    parseOrderListSpec(input, BTC);
  } catch (error) {
    expect(error).toBeInstanceOf(OrderListError);
    return [...(error as OrderListError).issues];
  }
  return [];
}

/** A ledger where each role's child has filled the given quantity. */
function ledgerWith(fills: Record<string, string>, quantities: Record<string, string>): ChildLedger {
  let ledger = EMPTY_LEDGER;
  let n = 0;
  for (const [role, quantity] of Object.entries(quantities)) {
    n += 1;
    const childId = `l-E${n}`;
    ledger = addChild(ledger, { childId, parentId: 'l', sequence: n, role, side: 'sell', type: 'limit', quantity, filledQuantity: '0', filledNotional: '0', tradeIds: [], status: 'working' });
    const filled = fills[role];
    if (filled !== undefined && filled !== '0') ledger = applyChildFill(ledger, { childId, tradeId: `t${n}`, quantity: filled, price: '100' });
  }
  return ledger;
}

function targets(spec: OrderListSpec, ledger: ChildLedger): Record<string, string> {
  return Object.fromEntries([...legTargets({ spec, ledger, released: true }).entries()].map(([role, open]) => [role, open.toFixed()]));
}

describe('order list specs', () => {
  it('a bracket: exits reduce-only, sized from the entry, released on its first fill', () => {
    const spec = parseOrderListSpec(bracket, BTC);
    expect(spec.trigger).toMatchObject({ role: 'entry', quantity: '1' });
    expect(spec.legs.map((leg) => [leg.role, leg.reduceOnly, leg.quantity])).toEqual([['takeProfit', true, undefined], ['stopLoss', true, undefined]]);
    expect(spec.release).toBe('firstFill');
  });

  it('refuses exits on the wrong side or price, and a contingent leg with its own quantity', () => {
    expect(reasons({ ...bracket, takeProfit: { side: 'sell', type: 'limit', price: '90' }, stopLoss: { side: 'buy', type: 'stop', stopPrice: '105', quantity: '1' } })).toEqual([
      'stopLoss: a contingent leg is sized from the entry\'s fills; leave its quantity out',
      'a buy entry\'s take-profit and stop-loss must sell',
      'the take-profit 90 must be above the entry 100',
      'the stop-loss 105 must be below the entry 100',
    ]);
  });

  it('refuses OCO legs on both sides, missing quantities and prices, and unknown symbols', () => {
    expect(reasons({ kind: 'oco', listId: 'c', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '110' }, { side: 'buy', type: 'stop', stopPrice: '95' }] })).toEqual([
      'leg2: quantity is required',
      'the legs of an OCO must be on one side: they are alternatives for the same quantity',
    ]);
    expect(reasons({ kind: 'ouo', listId: 'u', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1' }, { side: 'sell', type: 'market', quantity: '1', price: '1' }] })).toEqual([
      'leg1: price is required for a limit leg',
      'leg2: price is not allowed on a market leg',
    ]);
    expect(() => parseOrderListSpec({ ...bracket, symbol: 'DOGE/USDT' }, undefined)).toThrow('unknown symbol DOGE/USDT');
    expect(reasons({ kind: 'oco', listId: 'c', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '110' }] })).toEqual(['legs: an OCO needs at least two legs']);
  });
});

describe('leg sizing', () => {
  it('bracket: every exit holds the position, entry filled less exits filled', () => {
    const spec = parseOrderListSpec(bracket, BTC);
    expect(targets(spec, ledgerWith({ entry: '0.4' }, { entry: '1', takeProfit: '0.4', stopLoss: '0.4' }))).toEqual({ takeProfit: '0.4', stopLoss: '0.4' });
    expect(targets(spec, ledgerWith({ entry: '0.7', takeProfit: '0.3' }, { entry: '1', takeProfit: '0.7', stopLoss: '0.7' }))).toEqual({ takeProfit: '0.4', stopLoss: '0.4' });
    expect(targets(spec, ledgerWith({ entry: '1', takeProfit: '0.6', stopLoss: '0.4' }, { entry: '1', takeProfit: '1', stopLoss: '1' }))).toEqual({ takeProfit: '0', stopLoss: '0' });
  });

  it('OCO: a fill on one leg cancels the others; OUO: each fill reduces the others to what is still open', () => {
    const oco = parseOrderListSpec({ kind: 'oco', listId: 'c', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '110' }, { side: 'sell', type: 'stop', quantity: '1', stopPrice: '95' }] }, BTC);
    expect(targets(oco, ledgerWith({ leg1: '0.2' }, { leg1: '1', leg2: '1' }))).toEqual({ leg1: '0.8', leg2: '0' });
    const ouo = parseOrderListSpec({ kind: 'ouo', listId: 'u', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '110' }, { side: 'sell', type: 'stop', quantity: '0.5', stopPrice: '95' }] }, BTC);
    expect(targets(ouo, ledgerWith({ leg1: '0.2' }, { leg1: '1', leg2: '0.5' }))).toEqual({ leg1: '0.8', leg2: '0.3' });
    // The reconcile asks the peer to shrink to its fills plus what is open, not to its original size.
    const decision = reconcileLegs({ spec: ouo, ledger: ledgerWith({ leg1: '0.2' }, { leg1: '1', leg2: '0.5' }), requested: {}, cancelRequested: [], released: true });
    expect(decision).toEqual({ submit: [], amend: [{ childId: 'l-E2', quantity: '0.3' }], cancel: [] });
  });

  it('OTO: released on the first fill, or only when complete (or when the parent ended with fills), sized to what filled', () => {
    const input = { kind: 'oto', listId: 'o', symbol: 'BTC/USDT', trigger: { side: 'buy', type: 'limit', quantity: '1', price: '100' }, legs: [{ side: 'sell', type: 'limit', price: '105' }] };
    const first = parseOrderListSpec(input, BTC);
    const complete = parseOrderListSpec({ ...input, release: 'completeFill' }, BTC);
    const partly = ledgerWith({ parent: '0.3' }, { parent: '1' });
    expect(releaseDue({ spec: first, ledger: partly })).toBe(true);
    expect(releaseDue({ spec: complete, ledger: partly })).toBe(false);
    expect(releaseDue({ spec: complete, ledger: ledgerWith({ parent: '1' }, { parent: '1' }) })).toBe(true);
    expect(releaseDue({ spec: first, ledger: ledgerWith({}, { parent: '1' }) })).toBe(false);
    const decision = reconcileLegs({ spec: first, ledger: partly, requested: {}, cancelRequested: [], released: true });
    expect(decision.submit.map((draft) => [draft.role, draft.quantity])).toEqual([['leg1', '0.3']]);
    expect(decimal(targets(first, partly).leg1!).toFixed()).toBe('0.3');
  });
});
