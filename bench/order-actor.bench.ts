// The bare order actor beside a minimal XState machine with the same states and no actions or guards: the
// floor any XState runtime pays, so the figure is the chart's own cost (context, guards, announcements).
import { createActor, createMachine } from 'xstate';
import { orderMachine } from '../machines/order.ts';
import { opsPerSecond, type BenchRow } from './harness.ts';

const FILLS = [
  { quantity: '0.25', price: '50000' },
  { quantity: '0.25', price: '49999.9' },
  { quantity: '0.25', price: '49999.8' },
  { quantity: '0.25', price: '49999.7' },
] as const;

const request = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '50000', timeInForce: 'GTC', postOnly: false, reduceOnly: false } as const;

/** The order chart's states and the lifecycle's transitions, nothing else. */
const minimalMachine = createMachine({
  id: 'minimal-order',
  initial: 'pending',
  states: {
    pending: { on: { submit: 'submitted' } },
    emulated: {},
    triggered: {},
    submitted: { on: { 'venue.accepted': 'open' } },
    open: { on: { 'venue.filled': 'partial' } },
    partial: { on: { 'venue.filled': 'partial', complete: 'filled' } },
    pendingCancel: {},
    pendingUpdate: {},
    filled: {},
    canceled: {},
    expired: {},
    rejected: {},
    denied: {},
  },
});

export function bareOrderLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    const clientOrderId = `x${index}`;
    const actor = createActor(orderMachine, { input: { request: { ...request, clientOrderId }, venue: 'bench', emulated: false, createdAt: 0 } });
    actor.start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted', venueOrderId: clientOrderId });
    for (let fill = 0; fill < FILLS.length; fill++) {
      const { quantity, price } = FILLS[fill]!;
      actor.send({ type: 'venue.filled', tradeId: `${clientOrderId}-${fill}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    }
    if (actor.getSnapshot().value !== 'filled') throw new Error('the lifecycle did not end filled');
  }
}

function minimalLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    const clientOrderId = `x${index}`;
    const actor = createActor(minimalMachine);
    actor.start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted', venueOrderId: clientOrderId });
    for (let fill = 0; fill < FILLS.length - 1; fill++) {
      const { quantity, price } = FILLS[fill]!;
      actor.send({ type: 'venue.filled', tradeId: `${clientOrderId}-${fill}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    }
    actor.send({ type: 'complete' });
  }
}

export async function run(): Promise<BenchRow[]> {
  const lifecycles = 20_000;
  // Interleaved, best of each: both see the same load on a shared machine.
  let bare = 0;
  let minimal = 0;
  for (let round = 0; round < 3; round++) {
    bare = Math.max(bare, opsPerSecond(lifecycles, bareOrderLifecycles, 1));
    minimal = Math.max(minimal, opsPerSecond(lifecycles, minimalLifecycles, 1));
  }
  return [
    {
      name: 'bare order actor lifecycles/s (submit, accept, 3 partial fills, filled)',
      value: bare,
      unit: 'lifecycles/s',
      baselineName: 'minimal XState machine, same states, no actions',
      baselineValue: minimal,
      goal: '>= 0.33x of the minimal machine',
      met: bare >= minimal * 0.33,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run()) console.log(`${row.name}: ${Math.round(row.value)} ${row.unit}; ${row.baselineName}: ${Math.round(row.baselineValue)} (${(row.value / row.baselineValue).toFixed(3)}x)`);
}
