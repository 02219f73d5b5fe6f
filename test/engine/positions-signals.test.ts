// Signals sized against what is already open: correlation-adjusted sizing on the paper venue, and the pure
// planning step's treatment of hedges and of a signal's own correlations.
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument, type Instrument } from '../../src/domain/instrument.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { planSignal } from '../../src/engine/signals.ts';

const spec = { quote: 'USDT', lotSize: '0.001', minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001' };
const btc = createInstrument({ ...spec, symbol: 'BTC/USDT', base: 'BTC', tickSize: '0.1' });
const eth = createInstrument({ ...spec, symbol: 'ETH/USDT', base: 'ETH', tickSize: '0.01' });

function quote(instrument: Instrument, bid: string, time: number) {
  const level = (price: string) => [{ price: decimal(price), quantity: decimal('1000') }];
  return { type: 'quote' as const, symbol: instrument.symbol, timestamp: time, bids: level(bid), asks: level(decimal(bid).plus(instrument.tickSize).toFixed()) };
}

describe('correlation-adjusted signals', () => {
  it('shrink a new position by the correlation with one already open in the same direction', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
    const venue = new PaperVenue({ clock, instruments: [btc, eth], balances: { USDT: '1000000', BTC: '0', ETH: '0' } });
    const engine = createEngine({
      venues: [venue], clock, clientOrderIdPrefix: 'c',
      signals: { sizing: { method: 'fixedAmount', amount: '10000' }, correlations: { 'BTC/USDT': { 'ETH/USDT': '0.6' } } },
    });
    await engine.start();
    venue.onMarketData(quote(btc, '50000', clock.now()));
    venue.onMarketData(quote(eth, '2000', clock.now()));
    clock.runAll();
    // Nothing open yet: the full 10000 / 50000.05 (mid), down to the lot.
    expect(engine.submitSignal({ symbol: 'ETH/USDT', action: 'buy', confidence: '1' })).toMatchObject({ status: 'opened', quantity: '4.999' });
    clock.runAll();
    // ETH is open long: a BTC long moves with it, so only 1 − 0.6 of its size is new risk.
    expect(engine.submitSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '1' })).toMatchObject({ status: 'opened', quantity: '0.079' });
  });

  it('a position the other way is a hedge and does not shrink the size; the signal\'s own figures come first', () => {
    const context = {
      instrument: btc, marketPrice: '50000', equity: '1000000',
      defaults: { sizing: { method: 'fixedAmount' as const, amount: '10000' }, correlations: { 'ETH/USDT': { 'BTC/USDT': '0.6' } } },
      openPositions: () => [{ symbol: 'ETH/USDT', direction: 'short' as const }],
    };
    expect(planSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '1' }, context)).toMatchObject({ kind: 'open', quantity: '0.2' });
    expect(planSignal({ symbol: 'BTC/USDT', action: 'sell', confidence: '1' }, context)).toMatchObject({ kind: 'open', quantity: '0.08' });
    expect(planSignal({ symbol: 'BTC/USDT', action: 'sell', confidence: '1', correlations: { 'ETH/USDT': '0.9' } }, context)).toMatchObject({ kind: 'open', quantity: '0.02' });
    expect(() => planSignal({ symbol: 'BTC/USDT', action: 'sell', confidence: '1', correlations: { 'ETH/USDT': 'high' } }, context)).toThrow('correlation');
  });
});
