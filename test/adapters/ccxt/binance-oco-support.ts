// Shared for the Binance OCO tests: lists of a take-profit (post-only limit) and a stop leg, and what the
// simulator was asked.
import type { ExecutionReport, VenueOrderList } from '../../../adapters/venue.ts';
import type { BinanceSimulator } from '../../fixtures/binance-simulator/simulator.ts';
import { limitOrder, reportsOf } from './support.ts';

/** A sell OCO: take profit at 52000 (LIMIT_MAKER above the market), stop at 48000 (STOP_LOSS below it). */
export function sellOco(listId: string, quantity = '0.01'): VenueOrderList {
  return {
    listId,
    kind: 'oco',
    symbol: 'BTC/USDT',
    orders: [
      limitOrder(`${listId}-tp`, { side: 'sell', type: 'limit', price: '52000', postOnly: true, quantity }),
      limitOrder(`${listId}-sl`, { side: 'sell', type: 'stop', stopPrice: '48000', price: undefined, quantity }),
    ],
  };
}

/** A buy OCO: buy the dip at 48000 (LIMIT_MAKER below the market) or the breakout from 52000 (STOP_LOSS_LIMIT above it, limit 52100). */
export function buyOco(listId: string, quantity = '0.02'): VenueOrderList {
  return {
    listId,
    kind: 'oco',
    symbol: 'BTC/USDT',
    orders: [
      limitOrder(`${listId}-dip`, { side: 'buy', type: 'limit', price: '48000', postOnly: true, quantity }),
      limitOrder(`${listId}-brk`, { side: 'buy', type: 'stopLimit', stopPrice: '52000', price: '52100', quantity }),
    ],
  };
}

export const typesOf = (reports: readonly ExecutionReport[], clientOrderId: string) => reportsOf(reports, clientOrderId).map((report) => report.type);

/** How many times the simulator was sent `METHOD /path`. */
export function requestsTo(simulator: BinanceSimulator, request: string): number {
  return simulator.requests.filter((seen) => seen === request).length;
}

/** Requests that place, cancel or change orders, in the order sent. */
export function writesSeen(simulator: BinanceSimulator): string[] {
  return simulator.requests.filter((request) => /^(POST|DELETE|PUT) \/api\/v3\/(order|orderList)/.test(request));
}
