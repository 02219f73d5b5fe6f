// A position's protection plan as JSON (decimal strings), and its resolution into concrete stop, take-profit,
// break-even, trailing and scale-in levels once the entry price is known.
import { decimal, HUNDRED, roundToStep, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { OrderSide } from '../domain/order-request.ts';
import { legChanges, openTargets } from '../domain/contingency.ts';
import type { LotGrid, TickGrid } from './grid.ts';
import { isLong, priceInFavour } from './position-side.ts';
import { planScaling, type LevelSpacing, type SizeSchedule } from './scaling.ts';
import { stopLossPrice, takeProfitLadder, type StopLossMethod, type TakeProfitMethod } from './stops.ts';
import { breakEvenStop, breakEvenTriggerDistance, type FeeModel } from './break-even.ts';

export type StopLossPlan =
  | { readonly method: 'price'; readonly price: DecimalString }
  | { readonly method: 'percent'; readonly percent: DecimalString }
  /** A multiple of the ATR given with the signal. */
  | { readonly method: 'atr'; readonly multiple: DecimalString }
  /** Distance from minPercent (confidence 0) to maxPercent (confidence 1): a surer signal gets more room. */
  | { readonly method: 'confidence'; readonly minPercent: DecimalString; readonly maxPercent: DecimalString };

export type TakeProfitTarget =
  | { readonly method: 'price'; readonly price: DecimalString }
  | { readonly method: 'percent'; readonly percent: DecimalString }
  /** A multiple of the stop distance (R). */
  | { readonly method: 'riskReward'; readonly multiple: DecimalString }
  | { readonly method: 'atr'; readonly multiple: DecimalString };

export type TrailingDistancePlan =
  | { readonly kind: 'offset'; readonly offset: DecimalString }
  | { readonly kind: 'percent'; readonly percent: DecimalString }
  | { readonly kind: 'atr'; readonly multiple: DecimalString };

export type ProfitTrigger =
  | { readonly kind: 'percent'; readonly percent: DecimalString }
  /** A multiple of the initial stop distance (R). */
  | { readonly kind: 'rMultiple'; readonly multiple: DecimalString };

export interface PositionPlan {
  readonly stopLoss?: StopLossPlan;
  /** One level closes the whole position; several make a ladder of partial take-profits (fractions sum to 1). */
  readonly takeProfit?: readonly { readonly target: TakeProfitTarget; readonly fraction: DecimalString }[];
  readonly breakEven?: { readonly trigger: ProfitTrigger };
  readonly trailing?: { readonly distance: TrailingDistancePlan; readonly activation?: ProfitTrigger };
  readonly scaleIn?: ScalingPlan;
  /**
   * Scale out at profit targets: levels in the position's favour, sized by the schedule, each a take-profit
   * order (so they are one-cancels-other with the stop and resized with the position). `fraction` is the
   * share of the entry quantity taken off over all levels (1 = all of it). Not together with `takeProfit`.
   */
  readonly scaleOut?: ScalingPlan;
}

export type ScheduleName = 'equal' | 'linear' | 'exponential' | 'fibonacci' | 'volatility';

export interface ScalingPlan {
  /** Quantity added (scale-in) or taken off (scale-out) over all levels, as a fraction of the entry quantity. */
  readonly fraction: DecimalString;
  readonly levels: number;
  readonly spacing: { readonly kind: 'percent'; readonly percent: DecimalString } | { readonly kind: 'atr'; readonly multiple: DecimalString };
  readonly schedule: ScheduleName;
  /** Exponential schedules: each level's weight over the previous one (default 2). */
  readonly growth?: DecimalString;
  /** Volatility schedules: the volatility expected at each level (one per level); a level gets 1 / volatility. */
  readonly volatilities?: readonly DecimalString[];
  /** Which end gets the largest share: 'farthest' from the entry (default) or 'nearest'. */
  readonly largestAt?: 'farthest' | 'nearest';
}

/** What a signal knows that the plan's methods may need. */
export interface PlanInputs {
  readonly atr?: DecimalString;
  readonly confidence?: DecimalString;
}

export interface ResolvedProtection {
  /** The position's quantity the levels were sized for. */
  readonly quantity?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly takeProfits: readonly { readonly price: DecimalString; readonly quantity: DecimalString }[];
  readonly breakEven?: { readonly triggerPrice: DecimalString; readonly stopPrice: DecimalString };
  /** The market price at which the stop starts trailing, and how far behind it trails. */
  readonly trailing?: { readonly activationPrice: DecimalString; readonly trailingOffset?: DecimalString; readonly trailingPercent?: DecimalString };
  readonly scaleIns: readonly { readonly price: DecimalString; readonly quantity: DecimalString }[];
}

export interface ResolutionInput {
  readonly plan: PositionPlan;
  readonly inputs: PlanInputs;
  /** 'buy' for a long position, 'sell' for a short. */
  readonly side: OrderSide;
  readonly entryPrice: DecimalString;
  readonly quantity: DecimalString;
  readonly grid: TickGrid & LotGrid;
  /** Round-trip costs a break-even stop must cover. */
  readonly fees: FeeModel;
}

function requireInput(name: keyof PlanInputs, inputs: PlanInputs, purpose: string): Decimal {
  const value = inputs[name];
  if (value === undefined) throw new Error(`the plan's ${purpose} needs ${name}, and none was given`);
  return decimal(value);
}

function stopMethod(plan: StopLossPlan, inputs: PlanInputs): StopLossMethod {
  switch (plan.method) {
    case 'price': return { method: 'price', price: decimal(plan.price) };
    case 'percent': return { method: 'percent', percent: decimal(plan.percent) };
    case 'atr': return { method: 'atr', atr: requireInput('atr', inputs, 'ATR stop'), multiple: decimal(plan.multiple) };
    case 'confidence':
      return {
        method: 'confidence',
        confidence: requireInput('confidence', inputs, 'confidence stop'),
        minPercent: decimal(plan.minPercent),
        maxPercent: decimal(plan.maxPercent),
      };
  }
}

function takeProfitMethod(target: TakeProfitTarget, inputs: PlanInputs, stopPrice: Decimal | undefined): TakeProfitMethod {
  switch (target.method) {
    case 'price': return { method: 'price', price: decimal(target.price) };
    case 'percent': return { method: 'percent', percent: decimal(target.percent) };
    case 'atr': return { method: 'atr', atr: requireInput('atr', inputs, 'ATR take-profit'), multiple: decimal(target.multiple) };
    case 'riskReward':
      if (stopPrice === undefined) throw new Error('a risk-reward take-profit needs a stop-loss in the plan');
      return { method: 'riskReward', stopPrice, multiple: decimal(target.multiple) };
  }
}

/** The distance in price a profit trigger stands for, measured from the entry. */
function profitDistance(trigger: ProfitTrigger, entryPrice: Decimal, stopPrice: Decimal | undefined): Decimal {
  if (trigger.kind === 'percent') return entryPrice.times(trigger.percent).div(HUNDRED);
  if (stopPrice === undefined) throw new Error('an R-multiple trigger needs a stop-loss in the plan');
  return entryPrice.minus(stopPrice).abs().times(trigger.multiple);
}

/** The stop price to resolve the plan's stop method to, or undefined without one. Exposed for sizing. */
export function planStopPrice(plan: PositionPlan, inputs: PlanInputs, side: OrderSide, entryPrice: DecimalString, grid: TickGrid): DecimalString | undefined {
  if (plan.stopLoss === undefined) return undefined;
  return stopLossPrice({ side, entryPrice: decimal(entryPrice) }, stopMethod(plan.stopLoss, inputs), grid).toFixed();
}

/** Concrete levels for a position that entered at `entryPrice` with `quantity`. Throws on an impossible plan. */
export function resolveProtection(input: ResolutionInput): ResolvedProtection {
  const { plan, inputs, side, grid } = input;
  const entryPrice = decimal(input.entryPrice);
  const quantity = decimal(input.quantity);
  const entry = { side, entryPrice };
  const stop = plan.stopLoss === undefined ? undefined : stopLossPrice(entry, stopMethod(plan.stopLoss, inputs), grid);
  let takeProfits = plan.takeProfit === undefined || plan.takeProfit.length === 0
    ? []
    : takeProfitLadder(
        entry,
        quantity,
        plan.takeProfit.map((level) => ({ target: takeProfitMethod(level.target, inputs, stop), fraction: decimal(level.fraction) })),
        grid,
      ).filter((rung) => rung.quantity.gt(ZERO)).map((rung) => ({ price: rung.price.toFixed(), quantity: rung.quantity.toFixed() }));
  let breakEven: ResolvedProtection['breakEven'];
  if (plan.breakEven !== undefined) {
    const trigger = plan.breakEven.trigger;
    const distance = trigger.kind === 'percent'
      ? breakEvenTriggerDistance(entry, { kind: 'percent', percent: decimal(trigger.percent) })
      : profitDistance(trigger, entryPrice, stop);
    breakEven = {
      triggerPrice: roundToStep(priceInFavour(entryPrice, distance, side), grid.tickSize, isLong(side) ? 'up' : 'down').toFixed(),
      stopPrice: breakEvenStop(entry, input.fees, grid).toFixed(),
    };
  }
  let trailing: ResolvedProtection['trailing'];
  if (plan.trailing !== undefined) {
    const activationDistance = plan.trailing.activation === undefined ? ZERO : profitDistance(plan.trailing.activation, entryPrice, stop);
    const activationPrice = roundToStep(priceInFavour(entryPrice, activationDistance, side), grid.tickSize, isLong(side) ? 'up' : 'down');
    const distance = plan.trailing.distance;
    trailing = {
      activationPrice: activationPrice.toFixed(),
      ...(distance.kind === 'percent'
        ? { trailingPercent: decimal(distance.percent).toFixed() }
        : {
            trailingOffset: roundToStep(
              distance.kind === 'offset' ? decimal(distance.offset) : requireInput('atr', inputs, 'ATR trailing stop').times(distance.multiple),
              grid.tickSize,
              'up',
            ).toFixed(),
          }),
    };
  }
  const scaleIns = plan.scaleIn === undefined ? [] : scalingLevels('scaleIn', plan.scaleIn, input, quantity, entryPrice);
  if (plan.scaleOut !== undefined) {
    if (takeProfits.length > 0) throw new Error('the plan has both a take-profit ladder and a scale-out plan: give one of them');
    takeProfits = scalingLevels('scaleOut', plan.scaleOut, input, quantity, entryPrice);
  }
  return { quantity: quantity.toFixed(), stopPrice: stop?.toFixed(), takeProfits, breakEven, trailing, scaleIns };
}

function schedule(plan: ScalingPlan, purpose: string): SizeSchedule {
  switch (plan.schedule) {
    case 'exponential': return { kind: 'exponential', growth: decimal(plan.growth ?? '2') };
    case 'volatility':
      if (plan.volatilities === undefined) throw new Error(`the ${purpose} plan's volatility schedule needs one volatility per level, and none were given`);
      return { kind: 'volatility', volatilities: plan.volatilities.map((volatility) => decimal(volatility)) };
    case 'equal':
    case 'linear':
    case 'fibonacci':
      return { kind: plan.schedule };
    default:
      throw new Error(`unknown ${purpose} schedule ${JSON.stringify((plan as { schedule: unknown }).schedule)}: use equal, linear, exponential, fibonacci or volatility`);
  }
}

/** The levels of a scale-in or scale-out plan, whole lots, empty levels dropped. */
function scalingLevels(direction: 'scaleIn' | 'scaleOut', plan: ScalingPlan, input: ResolutionInput, quantity: Decimal, entryPrice: Decimal): { price: DecimalString; quantity: DecimalString }[] {
  const purpose = direction === 'scaleIn' ? 'scale-in' : 'scale-out';
  const total = roundToStep(quantity.times(plan.fraction), input.grid.lotSize, 'down');
  if (!total.gt(ZERO)) return [];
  const spacing: LevelSpacing = plan.spacing.kind === 'percent'
    ? { kind: 'percent', percent: decimal(plan.spacing.percent) }
    : { kind: 'atr', atr: requireInput('atr', input.inputs, `ATR ${purpose} spacing`), multiple: decimal(plan.spacing.multiple) };
  return planScaling({
    direction, side: input.side, referencePrice: entryPrice, totalQuantity: total, levelCount: plan.levels, spacing,
    schedule: schedule(plan, purpose), largestAt: plan.largestAt, grid: input.grid,
  })
    .filter((level) => level.quantity.gt(ZERO))
    .map((level) => ({ price: level.price.toFixed(), quantity: level.quantity.toFixed() }));
}

export interface TakeProfitResize {
  /** Working rungs and their new quantities (whole lots, above zero). */
  readonly amend: readonly { readonly orderId: string; readonly quantity: DecimalString }[];
  /** Working rungs left with nothing to take off: canceled, so they can never flip the position. */
  readonly cancel: readonly string[];
}

/**
 * The take-profit rungs still working after the position's size changed (a scale-in, a partial exit or
 * stop): they take off the same share of the position as planned, split by their planned sizes. With a
 * ladder that covers the whole position they cover it all again; a partial scale-out keeps its share of
 * what is left uncovered. `planned` holds every rung's planned quantity; `working` the ones still working.
 */
export function resizeTakeProfits(input: {
  readonly planned: readonly { readonly orderId: string; readonly quantity: DecimalString }[];
  readonly working: readonly string[];
  /** The position's quantity the rungs were planned for; without it the rungs are taken to cover it all. */
  readonly plannedQuantity?: DecimalString;
  readonly positionQuantity: DecimalString;
  readonly lotSize: DecimalString;
}): TakeProfitResize {
  // The one contingency rule (src/domain/contingency.ts): working rungs hold their planned share of the position.
  const working = input.planned.filter((rung) => input.working.includes(rung.orderId));
  const plannedTotal = input.planned.reduce((sum, rung) => sum.plus(rung.quantity), ZERO);
  const targets = openTargets({
    relation: 'protectsPosition',
    legs: working.map((rung) => ({ id: rung.orderId, filled: ZERO, cover: { kind: 'share' as const, weight: decimal(rung.quantity) } })),
    basis: decimal(input.positionQuantity),
    uncovered: input.plannedQuantity === undefined ? ZERO : decimal(input.plannedQuantity).minus(plannedTotal),
    lotSize: decimal(input.lotSize),
  });
  const changes = legChanges(targets, working.map((rung) => ({ id: rung.orderId })));
  return { amend: changes.amend.map((amendment) => ({ orderId: amendment.id, quantity: amendment.quantity.toFixed() })), cancel: changes.cancel };
}
