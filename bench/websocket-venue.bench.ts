// Bench: order round trips through the WebSocket venue client and the paper venue server over loopback,
// beside the same orders sent to an in-process PaperVenue on wall time. Both deliver each report on a
// timer, so one-at-a-time trips are bounded by Node's 1 ms timer floor on either side.
import { pino } from 'pino';
import { startPaperVenueServer } from '../adapters/paper-server/server.ts';
import { PaperVenue } from '../adapters/paper/paper-venue.ts';
import type { ExecutionReport, Venue, VenueOrder } from '../adapters/venue.ts';
import { WebSocketVenue } from '../adapters/websocket-venue/websocket-venue.ts';
import { DEFAULT_INSTRUMENT } from '../adapters/paper-server/venue-host.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import { SystemClock } from '../src/domain/clock.ts';
import type { BenchRow } from './harness.ts';

const BALANCES = { USDT: '1000000000', BTC: '1000' };
const SEQUENTIAL = 1_000;
const PIPELINED = 5_000;

function restingBuy(clientOrderId: string): VenueOrder {
  return {
    clientOrderId,
    symbol: DEFAULT_INSTRUMENT.symbol,
    side: 'buy',
    type: 'limit',
    quantity: '0.001',
    price: '25000',
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
  };
}

/** Resolves when `count` reports of `type` have arrived since the call. */
function reportsOf(venue: Venue, type: ExecutionReport['type'], count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = venue.onExecutionReport((report) => {
      if (report.type === type && ++seen === count) {
        stop();
        resolve();
      }
    });
  });
}

/** One order at a time: submit, wait for its acceptance, cancel, wait for the cancel. Round trips per second. */
async function sequential(venue: Venue, prefix: string): Promise<number> {
  const run = async (count: number) => {
    for (let index = 0; index < count; index++) {
      const id = `${prefix}-s${count}-${index}`;
      const accepted = reportsOf(venue, 'accepted', 1);
      venue.submit(restingBuy(id));
      await accepted;
      const canceled = reportsOf(venue, 'canceled', 1);
      venue.cancel(id);
      await canceled;
    }
  };
  await run(SEQUENTIAL / 10);
  const started = process.hrtime.bigint();
  await run(SEQUENTIAL);
  return (SEQUENTIAL * 2) / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Many orders in flight: submit them all, wait for every acceptance. Accepted orders per second. */
async function pipelined(venue: Venue, prefix: string): Promise<number> {
  const accepted = reportsOf(venue, 'accepted', PIPELINED);
  const started = process.hrtime.bigint();
  for (let index = 0; index < PIPELINED; index++) venue.submit(restingBuy(`${prefix}-p${index}`));
  await accepted;
  return PIPELINED / (Number(process.hrtime.bigint() - started) / 1e9);
}

export async function run(): Promise<BenchRow[]> {
  const token = 'bench-token-0123456789';
  const server = await startPaperVenueServer({ token, market: false, balances: BALANCES });
  const remote = new WebSocketVenue({ id: 'paper', url: server.url, token, logger: pino({ level: 'silent' }) });
  const local = new PaperVenue({ clock: new SystemClock(), instruments: [createInstrument(DEFAULT_INSTRUMENT)], balances: BALANCES });
  try {
    await remote.connect();
    const localSequential = await sequential(local, 'local');
    const remoteSequential = await sequential(remote, 'remote');
    const localPipelined = await pipelined(local, 'local');
    const remotePipelined = await pipelined(remote, 'remote');
    return [
      {
        name: 'order round trips/s, one at a time (WebSocket client + server in one process)',
        value: remoteSequential,
        unit: 'trips/s',
        baselineName: 'in-process PaperVenue',
        baselineValue: localSequential,
        goal: '>= 50% of in-process',
        met: remoteSequential >= localSequential * 0.5,
      },
      {
        name: `orders accepted/s, ${PIPELINED} in flight (WebSocket)`,
        value: remotePipelined,
        unit: 'orders/s',
        baselineName: 'in-process PaperVenue',
        baselineValue: localPipelined,
        goal: '>= 25% of in-process',
        met: remotePipelined >= localPipelined * 0.25,
      },
    ];
  } finally {
    await remote.disconnect();
    await server.close();
  }
}
