// Bench: the algo chart's own cost per slice (a TWAP slice: timer, child submitted, filled, ended), beside
// the order chart's cost per lifecycle (submit, accepted, filled) in the same run. No engine or venue: the
// engine's overhead per slice is measured once the algos are wired into it.
import { createActor } from 'xstate';
import { twapMachine } from '../machines/algos/twap.ts';
import type { ChildSubmission } from '../machines/algos/algo-contract.ts';
import { orderMachine } from '../machines/order.ts';
import { parseAlgoSpec } from '../src/domain/algo-params.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import { opsPerSecond, type BenchRow } from './harness.ts';

const BTC = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '0', makerFee: '0', takerFee: '0' });
const START = Date.UTC(2026, 0, 1);
const SLICES = 2_000;
const INTERVAL = 1_000;

/** Runs TWAPs of SLICES slices, each slice filled in full and ended, for `slices` slices in all. */
function twapSlices(slices: number): void {
  let done = 0;
  while (done < slices) {
    const submitted: ChildSubmission[] = [];
    const machine = twapMachine.provide({ actions: { submitChild: (_, params) => submitted.push(params), cancelChild: () => {} } });
    const spec = parseAlgoSpec({ kind: 'twap', parentId: 'bench', symbol: 'BTC/USDT', side: 'buy', quantity: '20', horizonMs: SLICES * INTERVAL, intervalMs: INTERVAL }, BTC, START);
    const actor = createActor(machine, { input: { spec, grid: { tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001' }, createdAt: START, randomSeed: 1 } }).start();
    actor.send({ type: 'start', at: START });
    for (let index = 0; index < SLICES && done < slices; index++) {
      if (index > 0) actor.send({ type: 'timer.due', at: START + index * INTERVAL });
      const child = submitted.pop()!;
      actor.send({ type: 'child.filled', at: START + index * INTERVAL, childId: child.childId, tradeId: `t${index}`, quantity: child.quantity, price: '100' });
      actor.send({ type: 'child.ended', at: START + index * INTERVAL, childId: child.childId, status: 'filled', remaining: '0' });
      done += 1;
    }
    actor.stop();
  }
}

function orderLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    const actor = createActor(orderMachine, {
      input: { request: { clientOrderId: `o${index}`, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '100', timeInForce: 'GTC', postOnly: false, reduceOnly: false }, venue: 'bench', emulated: false, createdAt: START },
    }).start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted', venueOrderId: `v${index}` });
    actor.send({ type: 'venue.filled', tradeId: `t${index}`, quantity: '0.01', price: '100', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    actor.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const slices = opsPerSecond(4_000, twapSlices);
  const lifecycles = opsPerSecond(4_000, orderLifecycles);
  return [
    {
      name: 'TWAP slices/s (chart only: timer, submit, fill, end)',
      value: slices,
      unit: '/s',
      baselineName: 'order chart lifecycles/s (submit, accept, fill)',
      baselineValue: lifecycles,
      goal: '>= 50% of an order lifecycle: a slice costs no more than its child order twice',
      met: slices >= lifecycles * 0.5,
    },
  ];
}
