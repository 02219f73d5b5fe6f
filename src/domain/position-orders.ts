// The orders a position asks the portfolio for: protective stop and take-profits, scale-ins, exits, and the
// trailing stop that replaces a fixed one. Pure: ids are derived from the position id, so replays match.
import type { DecimalString } from './decimal.ts';
import type { OrderSide, OrderTerms } from './order-request.ts';

export type PositionOrderRole = 'entry' | 'stop' | 'takeProfit' | 'scaleIn' | 'exit';

/** An order the position wants; the engine adds symbol and venue and sends it through the risk gate. */
export interface PositionOrderIntent
  extends Pick<OrderTerms, 'side' | 'type' | 'quantity' | 'price' | 'stopPrice' | 'trailingOffset' | 'trailingPercent' | 'activationPrice' | 'reduceOnly'> {
  readonly clientOrderId: string;
  readonly role: PositionOrderRole;
}

export function exitSide(direction: 'long' | 'short'): OrderSide {
  return direction === 'long' ? 'sell' : 'buy';
}

export function entrySide(direction: 'long' | 'short'): OrderSide {
  return direction === 'long' ? 'buy' : 'sell';
}

/** Ids stay within the 36 characters a clientOrderId may have when the position id does (<= 28). */
export function positionOrderId(positionId: string, role: PositionOrderRole, serial: number): string {
  const tag = { entry: 'e', stop: 'sl', takeProfit: 'tp', scaleIn: 'si', exit: 'x' }[role];
  return `${positionId}.${tag}${serial}`;
}

export function stopIntent(positionId: string, direction: 'long' | 'short', serial: number, quantity: DecimalString, stopPrice: DecimalString): PositionOrderIntent {
  return {
    clientOrderId: positionOrderId(positionId, 'stop', serial),
    role: 'stop',
    side: exitSide(direction),
    type: 'stop',
    quantity,
    stopPrice,
    reduceOnly: true,
  };
}

export function trailingStopIntent(
  positionId: string,
  direction: 'long' | 'short',
  serial: number,
  quantity: DecimalString,
  trailing: { readonly trailingOffset?: DecimalString; readonly trailingPercent?: DecimalString; readonly activationPrice: DecimalString },
): PositionOrderIntent {
  return {
    clientOrderId: positionOrderId(positionId, 'stop', serial),
    role: 'stop',
    side: exitSide(direction),
    type: 'trailingStop',
    quantity,
    trailingOffset: trailing.trailingOffset,
    trailingPercent: trailing.trailingPercent,
    activationPrice: trailing.activationPrice,
    reduceOnly: true,
  };
}

export function takeProfitIntent(positionId: string, direction: 'long' | 'short', index: number, quantity: DecimalString, price: DecimalString): PositionOrderIntent {
  return { clientOrderId: positionOrderId(positionId, 'takeProfit', index), role: 'takeProfit', side: exitSide(direction), type: 'limit', quantity, price, reduceOnly: true };
}

export function scaleInIntent(positionId: string, direction: 'long' | 'short', index: number, quantity: DecimalString, price: DecimalString): PositionOrderIntent {
  return { clientOrderId: positionOrderId(positionId, 'scaleIn', index), role: 'scaleIn', side: entrySide(direction), type: 'limit', quantity, price, reduceOnly: false };
}

export function exitIntent(positionId: string, direction: 'long' | 'short', serial: number, quantity: DecimalString): PositionOrderIntent {
  return { clientOrderId: positionOrderId(positionId, 'exit', serial), role: 'exit', side: exitSide(direction), type: 'market', quantity, reduceOnly: true };
}
