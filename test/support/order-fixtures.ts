// Inputs and a catalogue of events for driving the order chart directly, without an engine.
import type { OrderMachineEvent, OrderMachineInput } from '../../machines/order.ts';
import type { OrderRequest } from '../../src/domain/order-request.ts';

export function limitOrderInput(overrides: Partial<OrderRequest> = {}): OrderMachineInput {
  return {
    request: {
      clientOrderId: 'o-1',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      quantity: '1',
      price: '50000',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      ...overrides,
    },
    venue: 'test',
    emulated: false,
    createdAt: 0,
  };
}

/** A sell stop the venue cannot hold: it waits in `emulated`. */
export function emulatedStopInput(): OrderMachineInput {
  return {
    request: {
      clientOrderId: 's-1',
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'stop',
      quantity: '1',
      stopPrice: '49000',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    },
    venue: 'test',
    emulated: true,
    createdAt: 0,
  };
}

/** A sell stop the venue holds itself: it works at the venue until the venue reports it triggered. */
export function venueStopInput(): OrderMachineInput {
  return { ...emulatedStopInput(), emulated: false };
}

export function emulatedTrailingInput(): OrderMachineInput {
  return {
    request: {
      clientOrderId: 't-1',
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'trailingStop',
      quantity: '1',
      trailingOffset: '100',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    },
    venue: 'test',
    emulated: true,
    createdAt: 0,
    watermark: '50000',
    triggerPrice: '49900',
  };
}

export function fill(tradeId: string, quantity: string, price = '50000'): OrderMachineEvent {
  return { type: 'venue.filled', tradeId, quantity, price, fee: '0.5', feeCurrency: 'USDT', liquidity: 'maker' };
}

export const commandEvents = {
  submit: { type: 'submit' },
  adopt: { type: 'adopt' },
  deny: { type: 'deny', reason: 'max open orders' },
  cancel: { type: 'cancel' },
  amend: { type: 'amend', price: '49990' },
  amendStop: { type: 'amend', stopPrice: '48900' },
  trigger: { type: 'trigger', marketPrice: '48990' },
  trailingAdvanced: { type: 'trailingAdvanced', watermark: '50100', triggerPrice: '50000' },
  deadlineReached: { type: 'deadlineReached' },
} as const satisfies Record<string, OrderMachineEvent>;

export const reportEvents = {
  accepted: { type: 'venue.accepted', venueOrderId: 'v-1' },
  rejected: { type: 'venue.rejected', reason: 'insufficient balance' },
  canceled: { type: 'venue.canceled', reason: 'canceled by client' },
  expired: { type: 'venue.expired' },
  amended: { type: 'venue.amended', price: '49990' },
  cancelRejected: { type: 'venue.cancelRejected', reason: 'order is already filled' },
  amendRejected: { type: 'venue.amendRejected', reason: 'price out of band' },
  triggered: { type: 'venue.triggered', triggerPrice: '49000' },
} as const satisfies Record<string, OrderMachineEvent>;

/** The venue's answers to a status query by clientOrderId (recovery). */
export const statusEvents = {
  statusWorking: { type: 'venue.status', status: 'open', venueOrderId: 'v-1' },
  statusCanceled: { type: 'venue.status', status: 'canceled' },
  statusExpired: { type: 'venue.status', status: 'expired' },
  statusRejected: { type: 'venue.status', status: 'rejected', reason: 'margin check failed' },
  // Fills come as venue.filled before the status; a `filled` status alone moves nothing.
  statusFilled: { type: 'venue.status', status: 'filled' },
} as const satisfies Record<string, OrderMachineEvent>;
