// How the position chart's context changes on its bigger steps (a fill, new protective orders, a stop swapped,
// an exit sent) and the domain events it announces. Pure functions of the context and the event.
import { decimal } from '../../src/domain/decimal.ts';
import type { PositionChange } from '../../src/domain/events.ts';
import { applyPositionFill } from '../../src/domain/position-accounting.ts';
import { exitIntent, stopIntent, trailingStopIntent, type PositionOrderIntent } from '../../src/domain/position-orders.ts';
import { exitReasonOf, identity, isFill, maxInFavour, without } from './position-rules.ts';
import { protectiveIntents } from './protective-legs.ts';
import type { PositionContext, PositionMachineEvent } from './position-types.ts';

/** The fill applied to the position, its trade prices and times recorded. */
export function withFill(context: PositionContext, event: PositionMachineEvent): PositionContext {
  if (!isFill(event)) return context;
  const result = applyPositionFill(context, event);
  const opening = result.opening;
  const closing = result.closing;
  return Object.assign({}, context, result.position, {
    // The position keeps the direction it was opened with; flat is what its quantity says.
    direction: context.direction,
    openedAt: context.openedAt ?? event.timestamp,
    lastExitPrice: closing ? event.price : context.lastExitPrice,
    closedAt: result.closed ? event.timestamp : context.closedAt,
    entryNotional: opening ? decimal(context.entryNotional).plus(decimal(opening.quantity).times(opening.price)).toFixed() : context.entryNotional,
    exitNotional: closing ? decimal(context.exitNotional).plus(decimal(closing.quantity).times(closing.price)).toFixed() : context.exitNotional,
  });
}

/** The ids of the stop, take-profits and scale-ins the plan places, recorded as working. */
export function withProtectiveOrders(context: PositionContext): PositionContext {
  const intents = protectiveIntents(context);
  const idsOf = (role: PositionOrderIntent['role']) => intents.filter((intent) => intent.role === role).map((intent) => intent.clientOrderId);
  return Object.assign({}, context, {
    stopOrderId: idsOf('stop')[0],
    serial: 1,
    takeProfitOrderIds: idsOf('takeProfit'),
    scaleInOrderIds: idsOf('scaleIn'),
    workingOrderIds: [...context.workingOrderIds, ...intents.map((intent) => intent.clientOrderId)],
  });
}

/** A trailing stop's id recorded as the stop; the replaced stop stays working until its cancel is confirmed. */
export function withTrailingStop(context: PositionContext): PositionContext {
  const trailing = context.protection?.trailing;
  if (trailing === undefined) return context;
  const serial = context.serial + 1;
  const stopOrderId = trailingStopIntent(context.positionId, context.direction, serial, '0', { activationPrice: '0' }).clientOrderId;
  // The replaced stop stays in the working list until its cancel is confirmed (orderEnded).
  return Object.assign({}, context, { serial, stopOrderId, stopKind: 'trailing' as const, workingOrderIds: [...context.workingOrderIds, stopOrderId] });
}

/** The native stop that stands in for the trailing stop at a graceful stop, at the tighter of the two levels. */
export function withHandedOverStop(context: PositionContext, event: PositionMachineEvent): PositionContext {
  if (event.type !== 'handStopToVenue') return context;
  const serial = context.serial + 1;
  const stopOrderId = stopIntent(context.positionId, context.direction, serial, '0', '0').clientOrderId;
  const stopPrice = context.stopPrice === undefined ? event.stopPrice : maxInFavour(context, event.stopPrice, context.stopPrice);
  // The trailing stop stays in the working list until its (local) cancel is confirmed (orderEnded).
  return Object.assign({}, context, { serial, stopOrderId, stopPrice, workingOrderIds: [...context.workingOrderIds, stopOrderId] });
}

/** A new id for the stop put back after the venue dropped it. */
export function withReplacedLostStop(context: PositionContext): PositionContext {
  const serial = context.serial + 1;
  const stopOrderId = stopIntent(context.positionId, context.direction, serial, '0', '0').clientOrderId;
  return Object.assign({}, context, { serial, stopOrderId, workingOrderIds: [...without(context.workingOrderIds, context.stopOrderId ?? ''), stopOrderId] });
}

/** A new exit's id recorded as working (the close request's reason with it). */
export function withExitOrder(context: PositionContext, event: PositionMachineEvent): PositionContext {
  const serial = context.serial + 1;
  const exitOrderId = exitIntent(context.positionId, context.direction, serial, '0').clientOrderId;
  return Object.assign({}, context, {
    serial,
    closeReason: event.type === 'close' ? event.reason : context.closeReason,
    exitOrderIds: [...context.exitOrderIds, exitOrderId],
    workingOrderIds: [...context.workingOrderIds, exitOrderId],
  });
}

/** PositionOpened, as the position stands. */
export function openedEvent(context: PositionContext) {
  return Object.assign(identity(context), {
    type: 'PositionOpened' as const,
    direction: context.direction,
    quantity: context.quantity,
    averageEntryPrice: context.averageEntryPrice ?? '0',
    stopPrice: context.stopPrice,
    takeProfitPrices: (context.protection?.takeProfits ?? []).map((rung) => rung.price),
    planError: context.planError,
  });
}

/** PositionChanged with what changed, as the position stands. */
export function changedEvent(context: PositionContext, change: PositionChange) {
  return Object.assign(identity(context), {
    type: 'PositionChanged' as const,
    change,
    direction: context.direction,
    quantity: context.quantity,
    averageEntryPrice: context.averageEntryPrice ?? '0',
    realizedPnl: context.realizedPnl,
    fees: context.fees,
    ...(context.funding !== undefined ? { funding: context.funding } : {}),
    stopPrice: context.stopPrice,
  });
}

/** PositionClosed with its exit reason. */
export function closedEvent(context: PositionContext) {
  return Object.assign(identity(context), {
    type: 'PositionClosed' as const,
    direction: context.direction,
    closedQuantity: context.closedQuantity,
    realizedPnl: context.realizedPnl,
    fees: context.fees,
    ...(context.funding !== undefined ? { funding: context.funding } : {}),
    exitReason: context.exitReason ?? 'manual',
  });
}
