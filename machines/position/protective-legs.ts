// A position's protective legs, its stop and take-profit rungs, as one contingent group: the orders placed for
// them, and what they must become when the position's size changes (the one rule in src/domain/contingency.ts:
// the stop holds the whole position, the rungs their planned share of it, and none ever more than is held).
import { decimal, ZERO, type DecimalString } from '../../src/domain/decimal.ts';
import { legChanges, openTargets, type ContingentLeg } from '../../src/domain/contingency.ts';
import { positionOrderId, scaleInIntent, stopIntent, takeProfitIntent, type PositionOrderIntent } from '../../src/domain/position-orders.ts';
import type { PositionContext, PositionMachineEvent } from './position-types.ts';

export interface ProtectiveLegChanges {
  /** The working stop and its new size, the whole position; absent without one. */
  readonly stop?: { readonly orderId: string; readonly quantity: DecimalString };
  /** Working take-profit rungs and their new sizes (whole lots, above zero). */
  readonly amendTakeProfits: readonly { readonly orderId: string; readonly quantity: DecimalString }[];
  /** Working rungs left with nothing to take off: canceled, so they can never flip the position. */
  readonly cancelTakeProfits: readonly string[];
}

/** The stop and the working take-profits sized for a position of `quantity`. */
export function protectiveLegsFor(context: PositionContext, quantity: DecimalString): ProtectiveLegChanges {
  const protection = context.protection;
  const legs: ContingentLeg[] = [];
  const stopOrderId = context.stopOrderId;
  if (stopOrderId !== undefined) legs.push({ id: stopOrderId, filled: ZERO, cover: { kind: 'whole' } });
  const rungs = (protection?.takeProfits ?? []).map((rung, index) => ({ orderId: positionOrderId(context.positionId, 'takeProfit', index + 1), quantity: decimal(rung.quantity) }));
  const plannedTotal = rungs.reduce((sum, rung) => sum.plus(rung.quantity), ZERO);
  const working = rungs.filter((rung) => context.workingOrderIds.includes(rung.orderId));
  for (const rung of working) legs.push({ id: rung.orderId, filled: ZERO, cover: { kind: 'share', weight: rung.quantity } });
  const targets = openTargets({
    relation: 'protectsPosition',
    legs,
    basis: decimal(quantity),
    // Without a planned quantity the rungs are taken to cover the whole position.
    uncovered: protection?.quantity === undefined ? ZERO : decimal(protection.quantity).minus(plannedTotal),
    lotSize: decimal(context.lotSize),
  });
  const rungChanges = legChanges(targets, working.map((rung) => ({ id: rung.orderId })));
  return {
    stop: stopOrderId === undefined ? undefined : { orderId: stopOrderId, quantity: targets.get(stopOrderId)!.toFixed() },
    amendTakeProfits: rungChanges.amend.map((amendment) => ({ orderId: amendment.id, quantity: amendment.quantity.toFixed() })),
    cancelTakeProfits: rungChanges.cancel,
  };
}

/**
 * After a fill: the stop follows the new size; the working take-profits too, unless a take-profit filled (a
 * rung's fill leaves the others as planned).
 */
export function legsAfterFill(context: PositionContext, event: PositionMachineEvent): ProtectiveLegChanges {
  const changes = protectiveLegsFor(context, context.quantity);
  const takeProfitFill = event.type === 'fill' && context.takeProfitOrderIds.includes(event.orderId);
  return takeProfitFill || event.type !== 'fill' ? { stop: changes.stop, amendTakeProfits: [], cancelTakeProfits: [] } : changes;
}

/** The stop amendment the chart's amendOrder effect takes ('' when there is no stop: nothing is sent). */
export function stopResize(changes: ProtectiveLegChanges): { orderId: string; quantity: DecimalString } {
  return changes.stop ?? { orderId: '', quantity: '0' };
}

/** The stop, take-profits and scale-ins the resolved plan asks for, placed when the entry completes. */
export function protectiveIntents(context: PositionContext): PositionOrderIntent[] {
  const protection = context.protection;
  if (protection === undefined) return [];
  const intents: PositionOrderIntent[] = [];
  if (protection.stopPrice !== undefined) intents.push(stopIntent(context.positionId, context.direction, 1, context.quantity, protection.stopPrice));
  protection.takeProfits.forEach((rung, index) => intents.push(takeProfitIntent(context.positionId, context.direction, index + 1, rung.quantity, rung.price)));
  protection.scaleIns.forEach((level, index) => intents.push(scaleInIntent(context.positionId, context.direction, index + 1, level.quantity, level.price)));
  return intents;
}

/** Working orders that would sell (or buy back) the same quantity as an exit, or add to a closing position. */
export function ordersInTheWayOfExit(context: PositionContext): string[] {
  return context.workingOrderIds.filter((id) => context.takeProfitOrderIds.includes(id) || context.scaleInOrderIds.includes(id));
}

/** Stop orders of this position other than the current one that are still working. */
export function previousStopIds(context: PositionContext): string[] {
  const prefix = `${context.positionId}.sl`;
  return context.workingOrderIds.filter((id) => id.startsWith(prefix) && id !== context.stopOrderId);
}
