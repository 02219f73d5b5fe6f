// Bench: signals/s from a strategy's signal to an open protected position on the paper venue (sizing, plan,
// risk gate, entry fill, stop placed), beside engine.submitOrder of the same entry orders; and ticks/s replayed
// with 1,000 open positions whose stops trail, beside the same ticks with no positions.
import { pino } from 'pino';
import { PaperVenue } from '../adapters/paper/index.ts';
import { decimal, type Decimal } from '../src/domain/decimal.ts';
import { createInstrument, type Instrument } from '../src/domain/instrument.ts';
import type { MarketData } from '../src/domain/market-data.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import type { BenchRow } from './harness.ts';

/** Positions net per instrument, so 1,000 positions need 1,000 symbols. */
const SYMBOLS = 1_000;
/** Signals are measured on the first SIGNAL_SYMBOLS symbols (a fresh engine per round). */
const SIGNAL_SYMBOLS = 300;
const SIGNAL_ROUNDS = 3;
/**
 * Quote rounds (each quotes every symbol once) replayed while the stops trail, after one that activates them:
 * 100,000 ticks per arm (with 20 rounds the arm without positions ran ~20 ms and one collection decided it).
 */
const TICK_ROUNDS = 100;

const instruments: Instrument[] = Array.from({ length: SYMBOLS }, (_, index) =>
  createInstrument({
    symbol: `S${index}/USDT`, base: `S${index}`, quote: 'USDT', tickSize: '0.01', lotSize: '0.001',
    minQuantity: '0.001', minNotional: '1', makerFee: '0.001', takerFee: '0.001',
  }),
);

function quote(instrument: Instrument, bid: Decimal, time: number): MarketData {
  const level = (price: Decimal) => [{ price, quantity: decimal('1000') }];
  return { type: 'quote', symbol: instrument.symbol, timestamp: time, bids: level(bid), asks: level(bid.plus(instrument.tickSize)) };
}

interface Session {
  readonly clock: SimulatedClock;
  readonly venue: PaperVenue;
  readonly engine: Engine;
}

async function session(): Promise<Session> {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const balances: Record<string, string> = { USDT: '1000000000' };
  for (const instrument of instruments) balances[instrument.base] = '0';
  const venue = new PaperVenue({ clock, instruments, balances });
  const engine = createEngine({
    venues: [venue], clock, clientOrderIdPrefix: 'b', logger: pino({ level: 'silent' }),
    signals: {
      sizing: { method: 'fixedAmount', amount: '100' },
      plan: { stopLoss: { method: 'percent', percent: '2' }, trailing: { distance: { kind: 'percent', percent: '1' } } },
    },
  });
  await engine.start();
  for (const instrument of instruments) venue.onMarketData(quote(instrument, decimal('100'), clock.now()));
  clock.runAll();
  return { clock, venue, engine };
}

/** Seconds for `body` plus every report and fill it set off (the simulated clock drained). */
function timed(clock: SimulatedClock, body: () => void): number {
  const started = process.hrtime.bigint();
  body();
  clock.runAll();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function requireOpen(engine: Engine, expected: number, what: string): void {
  const open = engine.listPositions({ open: true }).filter((position) => position.status === 'open').length;
  if (open !== expected) throw new Error(`${what}: expected ${expected} open positions, got ${open}`);
}

async function signalThroughput(): Promise<{ signals: number; orders: number }> {
  let signals = 0;
  let orders = 0;
  const subset = instruments.slice(0, SIGNAL_SYMBOLS);
  for (let round = 0; round < SIGNAL_ROUNDS + 1; round++) {
    const signalRun = await session();
    const signalSeconds = timed(signalRun.clock, () => {
      for (const instrument of subset) {
        const outcome = signalRun.engine.submitSignal({ symbol: instrument.symbol, action: 'buy', confidence: '0.7' });
        if (outcome.status !== 'opened') throw new Error(`signal not opened: ${JSON.stringify(outcome)}`);
      }
    });
    requireOpen(signalRun.engine, SIGNAL_SYMBOLS, 'signals');
    const orderRun = await session();
    const quantity = signalRun.engine.getPosition(signalRun.engine.listPositions()[0]!.positionId)!.quantity;
    const orderSeconds = timed(orderRun.clock, () => {
      for (const instrument of subset) orderRun.engine.submitOrder({ symbol: instrument.symbol, side: 'buy', type: 'market', quantity });
    });
    if (orderRun.engine.listOrders({ status: 'filled' }).length !== SIGNAL_SYMBOLS) throw new Error('orders: not every entry filled');
    await signalRun.engine.stop();
    await orderRun.engine.stop();
    if (round === 0) continue; // warm-up
    signals = Math.max(signals, SIGNAL_SYMBOLS / signalSeconds);
    orders = Math.max(orders, SIGNAL_SYMBOLS / orderSeconds);
  }
  return { signals, orders };
}

/**
 * Rising prices with pullbacks of less than the 1 % trail: every position's stop keeps trailing up and none
 * is hit. Each round quotes every symbol once.
 */
function tickStream(startTime: number, fromRound: number, rounds: number): MarketData[] {
  const ticks: MarketData[] = [];
  for (let round = fromRound; round < fromRound + rounds; round++) {
    const bid = decimal('100.5').plus(decimal(round).times('0.2')).minus(round % 3 === 2 ? '0.3' : '0');
    for (const instrument of instruments) ticks.push(quote(instrument, bid, startTime + round));
  }
  return ticks;
}

/** One session each (opening 1,000 positions is the costly part): the ticks after the stops began trailing. */
async function trailingTicks(): Promise<{ withPositions: number; withoutPositions: number; moves: number }> {
  const trailing = await session();
  for (const instrument of instruments) trailing.engine.submitSignal({ symbol: instrument.symbol, action: 'buy', confidence: '0.7' });
  trailing.clock.runAll();
  requireOpen(trailing.engine, SYMBOLS, 'trailing');
  // The first round activates every trailing stop (an order placed per position): not what is measured.
  timed(trailing.clock, () => {
    for (const tick of tickStream(trailing.clock.now(), 0, 1)) trailing.venue.onMarketData(tick);
  });
  const trailingPhases = trailing.engine.listPositions().filter((position) => position.stopPhase === 'trailing').length;
  if (trailingPhases !== SYMBOLS) throw new Error(`expected every position trailing, ${trailingPhases} are`);
  let moves = 0;
  trailing.engine.subscribe((event) => {
    if (event.type === 'PositionChanged' && event.change === 'trailing') moves++;
  });
  const ticks = tickStream(trailing.clock.now(), 1, TICK_ROUNDS);
  const trailingSeconds = timed(trailing.clock, () => {
    for (const tick of ticks) trailing.venue.onMarketData(tick);
  });
  requireOpen(trailing.engine, SYMBOLS, 'after the ticks (a trailing stop was hit)');
  await trailing.engine.stop();

  let withoutPositions = 0;
  for (let round = 0; round < 3; round++) {
    const plain = await session();
    const plainTicks = tickStream(plain.clock.now(), 1, TICK_ROUNDS);
    const plainSeconds = timed(plain.clock, () => {
      for (const tick of plainTicks) plain.venue.onMarketData(tick);
    });
    await plain.engine.stop();
    withoutPositions = Math.max(withoutPositions, plainTicks.length / plainSeconds);
  }
  return { withPositions: ticks.length / trailingSeconds, withoutPositions, moves };
}

export async function run(): Promise<BenchRow[]> {
  const throughput = await signalThroughput();
  const ticks = await trailingTicks();
  return [
    {
      name: `signals/s to an open protected position (sizing, plan, risk gate, entry fill, stop placed; ${SIGNAL_SYMBOLS} symbols, paper venue)`,
      value: Math.round(throughput.signals),
      unit: 'signals/s',
      baselineName: 'engine.submitOrder of the same entry orders, filled',
      baselineValue: Math.round(throughput.orders),
      // A signal also sizes, resolves its plan, starts a position actor and places its stop.
      goal: '>= 25% of the order-only path',
      met: throughput.signals >= throughput.orders * 0.25,
    },
    {
      name: `ticks/s with ${SYMBOLS} open positions trailing their stops (${TICK_ROUNDS * SYMBOLS} ticks; ${ticks.moves} stop levels written to positions, once per second of market time)`,
      value: Math.round(ticks.withPositions),
      unit: 'ticks/s',
      baselineName: 'the same ticks through the engine and paper venue, no positions',
      baselineValue: Math.round(ticks.withoutPositions),
      // A move of a locally held trailing stop changes nothing the venue holds: it costs the trigger index's
      // arithmetic, not an actor transition or a journal write per tick.
      goal: '>= 10% of no positions',
      met: ticks.withPositions >= ticks.withoutPositions * 0.1,
    },
  ];
}
