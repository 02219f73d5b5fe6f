// Perpetuals through the engine on Binance USDⓈ-M futures (the ccxt venue against the Binance simulator on
// 127.0.0.1): a short needs no base, its margin is reserved at the leverage set per symbol, and the engine's
// wallet follows the exchange's.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CcxtVenue } from '../../adapters/ccxt/index.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import type { BinanceSimulator } from '../fixtures/binance-simulator/simulator.ts';
import { createVenue, eventually, startSimulator } from '../adapters/ccxt/support.ts';

const SYMBOL = 'BTC/USDT:USDT';
let running: { engine: Engine; venue: CcxtVenue; simulator: BinanceSimulator } | undefined;

afterEach(async () => {
  if (running === undefined) return;
  await running.engine.stop();
  await running.simulator.stop();
  running = undefined;
});

describe('perpetuals through the engine on Binance USDⓈ-M futures', () => {
  it('a short limit order is placed with its margin reserved in USDT (no BTC held); filled, it is a short position', async () => {
    const simulator = await startSimulator('future', { balances: { USDT: '10000' } });
    const venue = createVenue(simulator, { leverage: { [SYMBOL]: 5 } });
    const engine = createEngine({ venues: [venue], clientOrderIdPrefix: 'c', logger: pino({ level: 'silent' }) });
    running = { engine, venue, simulator };
    await engine.start();
    expect(engine.instrument('binance', SYMBOL)).toMatchObject({ kind: 'perpetual', spec: expect.objectContaining({ leverage: '5' }) });

    const handle = engine.submitOrder({ symbol: SYMBOL, side: 'sell', type: 'limit', quantity: '0.01', price: '50000' });
    expect(handle.denial).toBeUndefined();
    // 0.01 x 50000 = 500 of notional: 500 / 5 = 100 of margin plus 500 x the higher fee rate, in USDT.
    const instrument = engine.instrument('binance', SYMBOL);
    const feeRate = instrument.takerFee.gt(instrument.makerFee) ? instrument.takerFee : instrument.makerFee;
    expect(engine.account('USDT').balances.USDT).toEqual({ total: '10000', reserved: feeRate.times('500').plus('100').toFixed() });
    await eventually(() => engine.getOrder(handle.orderId)?.status === 'open', 'accepted');
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.fill(handle.orderId, '0.01');
    await eventually(() => engine.getOrder(handle.orderId)?.status === 'filled', 'filled');
    const [position] = engine.listPositions({ open: true });
    expect(position).toMatchObject({ symbol: SYMBOL, direction: 'short', quantity: '0.01', averageEntryPrice: '50000' });
    // The fill's fee left the wallet; the position holds its margin; the exchange's wallet says the same.
    const exchange = (await venue.balances()).find((balance) => balance.currency === 'USDT')!;
    expect(engine.account('USDT').balances.USDT).toEqual({ total: exchange.total, reserved: '100' });
    expect(engine.account('USDT').balances.BTC).toBeUndefined();
    await eventually(() => engine.getPosition(position!.positionId)?.margin?.liquidationPriceSource === 'venue', 'the exchange\'s liquidation price');
  });
});
