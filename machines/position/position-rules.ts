// What the position chart's guards and actions ask of its context: the plan resolved at the fill price, the
// exits working, the trailing stop's activation, the reason an exit happened. Pure functions of the context.
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { ExitReason } from '../../src/domain/exit-reason.ts';
import { nonLooseningActivation } from '../../src/domain/triggers.ts';
import { validatePositionPlan } from '../../src/risk/plan-validation.ts';
import { resolveProtection, type ResolvedProtection } from '../../src/risk/protection.ts';
import type { FillEvent, LiquidatedEvent, PositionContext, PositionMachineEvent } from './position-types.ts';

/** Built with Object.assign: a spread followed by more properties is slow on Node 20 (see BENCHMARKS.md). */
export function identity(context: PositionContext) {
  return { positionId: context.positionId, venue: context.venue, symbol: context.symbol };
}

/** +1 when a is further in the position's favour than b. */
export function sign(context: PositionContext, a: DecimalString, b: DecimalString): number {
  const comparison = decimal(a).cmp(decimal(b));
  return context.direction === 'long' ? comparison : -comparison;
}

export function maxInFavour(context: PositionContext, a: DecimalString, b: DecimalString): DecimalString {
  return sign(context, a, b) >= 0 ? a : b;
}

export function without(list: readonly string[], id: string): string[] {
  return list.filter((item) => item !== id);
}

/** A fill of one of our orders, or the venue's liquidation trade: both change the position the same way. */
export function isFill(event: PositionMachineEvent): event is FillEvent | LiquidatedEvent {
  return event.type === 'fill' || event.type === 'liquidated';
}

/** The position's exit orders still working (at most one: see the `close` transitions). */
export function workingExits(context: PositionContext): string[] {
  return context.workingOrderIds.filter((id) => context.exitOrderIds.includes(id));
}

export function exitWorking(context: PositionContext): boolean {
  return workingExits(context).length > 0;
}

/** An exit order ended while the position still holds something: filled (a partial exit), or not (`filled`: false). */
export function exitEndedWithQuantityLeft(context: PositionContext, event: PositionMachineEvent, filled: boolean): boolean {
  return event.type === 'orderEnded' && context.exitOrderIds.includes(event.orderId) && (event.status === 'filled') === filled && context.quantity !== '0';
}

export function closeQuantity(context: PositionContext, event: PositionMachineEvent): DecimalString {
  return event.type === 'close' && event.quantity !== undefined ? event.quantity : context.quantity;
}

/**
 * The plan resolved at the position's average entry, or every reason it cannot be: the plan is checked whole
 * (validatePositionPlan) at the actual fill price, then resolved with the real fees.
 */
export function planOutcome(context: PositionContext): { protection: ResolvedProtection } | { error: string } {
  const entryPrice = context.averageEntryPrice;
  if (entryPrice === undefined) return { error: 'the position has no entry price to apply its plan at' };
  const grid = { tickSize: decimal(context.tickSize), lotSize: decimal(context.lotSize) };
  const problems = validatePositionPlan(context.plan, context.inputs, { direction: context.direction, referenceEntryPrice: entryPrice, instrument: grid, quantity: context.quantity });
  if (problems.length > 0) return { error: problems.join('; ') };
  try {
    const protection = resolveProtection({
      plan: context.plan,
      inputs: context.inputs,
      side: context.direction === 'long' ? 'buy' : 'sell',
      entryPrice,
      quantity: context.quantity,
      grid,
      fees: { kind: 'rate', entryRate: decimal(context.feeRate), exitRate: decimal(context.feeRate) },
    });
    return { protection };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Where a trailing stop that replaces the current stop activates: the plan's activation price, or later, where
 * its trigger first reaches the current stop, so the swap never loosens the stop. The engine watches this price
 * for a position whose stop is not trailing yet.
 */
export function trailingActivationOf(context: PositionContext): DecimalString | undefined {
  const trailing = context.protection?.trailing;
  if (trailing === undefined) return undefined;
  if (context.stopPrice === undefined) return trailing.activationPrice;
  return maxInFavour(context, trailing.activationPrice, nonLooseningActivation(context.direction === 'long' ? 'sell' : 'buy', context.stopPrice, trailing, decimal(context.tickSize)));
}

export function exitReasonOf(context: PositionContext, orderId: string): ExitReason {
  if (orderId === context.stopOrderId) return context.stopKind === 'trailing' ? 'trailing' : 'stop';
  if (orderId.startsWith(`${context.positionId}.sl`)) return 'stop';
  if (context.takeProfitOrderIds.includes(orderId)) return 'takeProfit';
  if (context.exitOrderIds.includes(orderId)) return context.closeReason ?? 'manual';
  return 'manual';
}
