// A position's protection plan as JSON (decimal strings), and its resolution into concrete stop, take-profit,
// break-even, trailing and scale-in levels once the entry price is known.
import { decimal, HUNDRED, ONE, roundToStep, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { OrderSide } from '../domain/order-request.ts';
import type { LotGrid, TickGrid } from './grid.ts';
import { isLong, priceInFavour } from './position-side.ts';
import { planScaling, type LevelSpacing, type SizeSchedule } from './scaling.ts';
import { stopLossPrice, takeProfitLadder, type StopLossMethod, type TakeProfitMethod } from './stops.ts';
import { breakEvenStop, breakEvenTriggerDistance, type FeeModel } from './trailing.ts';

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
  readonly scaleIn?: {
    /** Quantity added over all levels, as a fraction of the entry quantity. */
    readonly fraction: DecimalString;
    readonly levels: number;
    readonly spacing: { readonly kind: 'percent'; readonly percent: DecimalString } | { readonly kind: 'atr'; readonly multiple: DecimalString };
    readonly schedule: 'equal' | 'linear' | 'exponential' | 'fibonacci';
  };
}

/** What a signal knows that the plan's methods may need. */
export interface PlanInputs {
  readonly atr?: DecimalString;
  readonly confidence?: DecimalString;
}

export interface ResolvedProtection {
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
  const takeProfits = plan.takeProfit === undefined || plan.takeProfit.length === 0
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
  let scaleIns: ResolvedProtection['scaleIns'] = [];
  if (plan.scaleIn !== undefined) {
    const total = roundToStep(quantity.times(plan.scaleIn.fraction), grid.lotSize, 'down');
    if (total.gt(ZERO)) {
      const spacing: LevelSpacing = plan.scaleIn.spacing.kind === 'percent'
        ? { kind: 'percent', percent: decimal(plan.scaleIn.spacing.percent) }
        : { kind: 'atr', atr: requireInput('atr', inputs, 'ATR scale-in spacing'), multiple: decimal(plan.scaleIn.spacing.multiple) };
      const schedule: SizeSchedule = plan.scaleIn.schedule === 'exponential' ? { kind: 'exponential', growth: decimal('2') } : { kind: plan.scaleIn.schedule };
      scaleIns = planScaling({ direction: 'scaleIn', side, referencePrice: entryPrice, totalQuantity: total, levelCount: plan.scaleIn.levels, spacing, schedule, grid })
        .filter((level) => level.quantity.gt(ZERO))
        .map((level) => ({ price: level.price.toFixed(), quantity: level.quantity.toFixed() }));
    }
  }
  return { stopPrice: stop?.toFixed(), takeProfits, breakEven, trailing, scaleIns };
}

/**
 * The activation price for a trailing stop that replaces `currentStop`: the market price at which its trigger
 * first reaches the current stop, so swapping the stop for the trailing one never loosens it.
 */
export function nonLooseningActivation(
  side: OrderSide,
  currentStop: DecimalString,
  trailing: { readonly trailingOffset?: DecimalString; readonly trailingPercent?: DecimalString },
  tickSize: Decimal,
): DecimalString {
  const stop = decimal(currentStop);
  const long = isLong(side);
  let price: Decimal;
  if (trailing.trailingOffset !== undefined) {
    price = long ? stop.plus(trailing.trailingOffset) : stop.minus(trailing.trailingOffset);
  } else {
    const fraction = decimal(trailing.trailingPercent ?? '0').div(HUNDRED);
    price = long ? stop.div(ONE.minus(fraction)) : stop.div(ONE.plus(fraction));
  }
  return roundToStep(price, tickSize, long ? 'up' : 'down').toFixed();
}
