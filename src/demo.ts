// A library demo: a synthetic BTC/USDT market, a paper venue, and a stream of orders of every kind whose
// every state change is printed. `npm start` runs the daemon (src/daemon), whose demo sends signals instead.
import { createSyntheticMarket } from '../adapters/market-data/synthetic.ts';
import { replayInRealTime } from '../adapters/market-data/replay.ts';
import { PaperVenue } from '../adapters/paper/paper-venue.ts';
import { roundToStep } from './domain/decimal.ts';
import { subjectOfEvent, type DomainEvent } from './domain/events.ts';
import { createInstrument } from './domain/instrument.ts';
import type { OrderRequestInput } from './domain/order-request.ts';
import type { Clock } from './domain/clock.ts';
import { createEngine, type Engine } from './engine/engine.ts';

export const DEMO_INSTRUMENT = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.002',
});

export interface DemoOptions {
  readonly clock: Clock;
  /** Where each line goes; console.log for `npm start`. */
  readonly write: (line: string) => void;
  /** Milliseconds between new orders. */
  readonly orderEveryMs?: number;
  readonly seed?: number;
}

export interface RunningDemo {
  readonly engine: Engine;
  stop(): Promise<void>;
}

/** One order of each kind in turn, priced off the current market. */
function nextOrder(engine: Engine, turn: number): OrderRequestInput | undefined {
  const market = engine.marketPrice(DEMO_INSTRUMENT.symbol);
  if (market === undefined) return undefined;
  const tick = DEMO_INSTRUMENT.tickSize;
  const below = (ticks: number) => roundToStep(market.minus(tick.times(String(ticks))), tick, 'down').toFixed();
  const above = (ticks: number) => roundToStep(market.plus(tick.times(String(ticks))), tick, 'up').toFixed();
  const base = { symbol: DEMO_INSTRUMENT.symbol, quantity: '0.05' } as const;
  switch (turn % 5) {
    case 0: return { ...base, side: 'buy', type: 'limit', price: below(1) };
    case 1: return { ...base, side: 'buy', type: 'market', quantity: '0.02' };
    case 2: return { ...base, side: 'sell', type: 'limit', price: above(2), timeInForce: 'GTD', expireAt: engine.clock.now() + 8_000 };
    case 3: return { ...base, side: 'sell', type: 'stop', stopPrice: below(3) };
    default: return { ...base, side: 'sell', type: 'trailingStop', trailingOffset: '0.5' };
  }
}

export function describeEvent(event: DomainEvent, status: string | undefined): string {
  const time = new Date(event.timestamp).toISOString().slice(11, 23);
  const detail =
    event.type === 'OrderInitialized' ? `${event.orderType} ${event.side} ${event.quantity} ${event.symbol}${event.price ? ` @ ${event.price}` : ''}${event.stopPrice ? ` stop ${event.stopPrice}` : ''}`
    : event.type === 'OrderFilled' ? `${event.fillQuantity} @ ${event.fillPrice} (${event.liquidity}, fee ${event.fee} ${event.feeCurrency}), filled ${event.filledQuantity}, avg ${event.averagePrice}`
    : event.type === 'OrderTriggered' ? `at ${event.marketPrice}, released as ${event.releasedAs}`
    : event.type === 'OrderUpdated' && event.triggerPrice ? `trigger ${event.triggerPrice}`
    : 'reason' in event ? event.reason
    : '';
  const subject = subjectOfEvent(event);
  return `${time}  #${String(event.sequence).padStart(4)}  ${subject.padEnd(14)} ${event.type.padEnd(20)} -> ${(status ?? '?').padEnd(13)} ${detail}`;
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const { clock, write } = options;
  const venue = new PaperVenue({
    clock,
    instruments: [DEMO_INSTRUMENT],
    balances: { USDT: '100000', BTC: '2' },
    orderLatencyMs: 15,
    reportLatencyMs: 15,
  });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'demo' });
  await engine.start();
  engine.subscribe((event) => write(describeEvent(event, 'orderId' in event ? engine.getOrder(event.orderId)?.status : 'positionId' in event && event.positionId !== undefined ? engine.getPosition(event.positionId)?.status : undefined)));
  const market = createSyntheticMarket({
    instrument: DEMO_INSTRUMENT, seed: options.seed ?? 7, startPrice: '50000', startTime: clock.now(), intervalMs: 100, tradeShare: 0.4,
  });
  const stopMarket = replayInRealTime(market, venue, clock, { restamp: true });
  let turn = 0;
  let timer = clock.setTimeout(function placeNext() {
    const request = nextOrder(engine, turn++);
    if (request !== undefined) {
      try {
        engine.submitOrder(request);
      } catch (error) {
        write(`refused: ${(error as Error).message}`);
      }
    }
    timer = clock.setTimeout(placeNext, options.orderEveryMs ?? 1_500);
  }, 500);
  return {
    engine,
    async stop() {
      clock.clearTimeout(timer);
      stopMarket();
      await engine.stop();
    },
  };
}
