// Bench: market round trips/s (open, then close) through the engine on a paper perpetual (margin gate, margin
// ledger, position reports), beside the same round trips on a spot instrument in the same run. Zero latency: each
// call is settled by running the timers due now (a perpetual's funding timers never run out).
import { pino } from 'pino';
import { PaperVenue } from '../adapters/paper/index.ts';
import { decimal } from '../src/domain/decimal.ts';
import { createInstrument, type Instrument } from '../src/domain/instrument.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { createEngine } from '../src/engine/engine.ts';
import { opsPerSecond, type BenchRow } from './harness.ts';

const ROUND_TRIPS = 400;

const grid = { base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001', minQuantity: '0.001', minNotional: '0', makerFee: '0.0002', takerFee: '0.0005' };
const SPOT = createInstrument({ symbol: 'BTC/USDT', ...grid });
const PERP = createInstrument({ symbol: 'BTC-PERP', kind: 'perpetual', leverage: '10', ...grid });

async function roundTrips(instrument: Instrument): Promise<number> {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new PaperVenue({
    clock, instruments: [instrument], balances: { USDT: '1000000000', BTC: '1000' },
    ...(instrument.kind === 'perpetual' ? { perpetuals: { [instrument.symbol]: { leverage: '10' } } } : {}),
  });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'b', logger: pino({ level: 'silent' }) });
  await engine.start();
  venue.onMarketData({ type: 'quote', symbol: instrument.symbol, timestamp: clock.now(), bids: [{ price: decimal('99.99'), quantity: decimal('1000000') }], asks: [{ price: decimal('100'), quantity: decimal('1000000') }] });
  clock.advanceBy(0);
  const rate = opsPerSecond(ROUND_TRIPS, (count) => {
    for (let index = 0; index < count; index++) {
      engine.submitOrder({ symbol: instrument.symbol, side: 'buy', type: 'market', quantity: '0.5' });
      clock.advanceBy(0);
      engine.submitOrder({ symbol: instrument.symbol, side: 'sell', type: 'market', quantity: '0.5' });
      clock.advanceBy(0);
    }
  });
  await engine.stop();
  return rate;
}

export async function run(): Promise<BenchRow[]> {
  const spot = await roundTrips(SPOT);
  const perpetual = await roundTrips(PERP);
  return [{
    name: 'market round trips/s, perpetual (margin ledger, account reports)',
    value: perpetual, unit: 'trips/s', baselineName: 'the same on spot', baselineValue: spot,
    goal: '>= 50% of spot', met: perpetual >= spot * 0.5,
  }];
}
