// Fail-closed check of a position plan before anything is sent: every problem as its own sentence, so a plan
// that cannot be honoured whole is refused whole (never a position opened without the stop it asked for).
import { decimal, HUNDRED, isDecimalText, ONE, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { LotGrid, TickGrid } from './grid.ts';
import { resolveProtection, type PlanInputs, type PositionPlan, type ProfitTrigger, type ScalingPlan } from './protection.ts';

export interface PlanValidationContext {
  readonly direction: 'long' | 'short';
  /**
   * The price the entry is expected to fill at: the limit price, or the market price for a market entry.
   * Without one only the checks that do not depend on the entry run (the position chart still refuses, at
   * the actual fill, a plan that cannot be applied there).
   */
  readonly referenceEntryPrice?: DecimalString;
  readonly instrument: TickGrid & LotGrid;
  /** The quantity the position is expected to hold (default: one lot), for the trial resolution. */
  readonly quantity?: DecimalString;
}

const SCHEDULES = ['equal', 'linear', 'exponential', 'fibonacci', 'volatility'];

/** Collects problems as sentences; `number` returns the parsed value, or undefined after recording why not. */
class Problems {
  readonly list: string[] = [];

  add(sentence: string): void {
    this.list.push(sentence);
  }

  number(name: string, value: unknown): Decimal | undefined {
    if (typeof value !== 'string' || !isDecimalText(value)) {
      this.add(`${name} must be a decimal string such as "2.5", got ${JSON.stringify(value) ?? 'nothing'}`);
      return undefined;
    }
    return decimal(value);
  }

  positive(name: string, value: unknown): Decimal | undefined {
    const parsed = this.number(name, value);
    if (parsed !== undefined && !parsed.gt(ZERO)) {
      this.add(`${name} must be above 0, got ${value as string}`);
      return undefined;
    }
    return parsed;
  }

  percentBelowHundred(name: string, value: unknown): Decimal | undefined {
    const parsed = this.number(name, value);
    if (parsed !== undefined && (!parsed.gt(ZERO) || !parsed.lt(HUNDRED))) {
      this.add(`${name} must be above 0 and below 100 (it is a percent), got ${value as string}`);
      return undefined;
    }
    return parsed;
  }

  unitFraction(name: string, value: unknown): Decimal | undefined {
    const parsed = this.number(name, value);
    if (parsed !== undefined && (!parsed.gt(ZERO) || parsed.gt(ONE))) {
      this.add(`${name} must be above 0 and at most 1, got ${value as string}`);
      return undefined;
    }
    return parsed;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why the signal's inputs cannot be used, one sentence each: an ATR must be above 0, a confidence from 0 to 1.
 * Run for every signal (an ATR is refused even when the plan does not use it: it says the data is wrong).
 */
export function planInputIssues(inputs: PlanInputs | undefined): string[] {
  const problems = new Problems();
  if (inputs === undefined) return problems.list;
  if (!isObject(inputs)) return ['the plan inputs must be an object with atr and/or confidence'];
  if (inputs.atr !== undefined) problems.positive('atr', inputs.atr);
  if (inputs.confidence !== undefined) {
    const confidence = problems.number('confidence', inputs.confidence);
    if (confidence !== undefined && (confidence.lt(ZERO) || confidence.gt(ONE))) problems.add(`confidence must be from 0 to 1, got ${inputs.confidence}`);
  }
  return problems.list;
}

/**
 * Every reason `plan` cannot be honoured for a position in `direction` entered near `referenceEntryPrice`:
 * empty when it can. Checks the shape and ranges of every field, the inputs each method needs, that stops
 * and targets sit on the right side of the entry, and finally resolves the plan at the reference price on the
 * instrument's grid (catching, for example, a stop distance under one tick).
 */
export function validatePositionPlan(plan: PositionPlan | undefined, inputs: PlanInputs | undefined, context: PlanValidationContext): string[] {
  const problems = new Problems();
  for (const issue of planInputIssues(inputs)) problems.add(issue);
  if (plan === undefined) return problems.list;
  if (!isObject(plan as unknown)) return [...problems.list, 'the plan must be an object'];
  const atrGiven = inputs?.atr !== undefined;
  const long = context.direction === 'long';
  const reference = context.referenceEntryPrice === undefined ? undefined : problems.positive('the reference entry price', context.referenceEntryPrice);
  const lossSide = long ? 'below' : 'above';
  const profitSide = long ? 'above' : 'below';
  const needsAtr = (what: string) => {
    if (!atrGiven) problems.add(`the ${what} needs the signal's atr, and none was given`);
  };
  const known = ['stopLoss', 'takeProfit', 'breakEven', 'trailing', 'scaleIn', 'scaleOut'];
  for (const key of Object.keys(plan)) if (!known.includes(key)) problems.add(`the plan has an unknown part "${key}": use ${known.join(', ')}`);

  const stop = plan.stopLoss as unknown;
  if (stop !== undefined) {
    if (!isObject(stop)) problems.add('stopLoss must be an object with a method');
    else {
      switch (stop.method) {
        case 'price': {
          const price = problems.positive('the stop-loss price', stop.price);
          if (price !== undefined && reference !== undefined && (long ? !price.lt(reference) : !price.gt(reference))) {
            problems.add(`the stop-loss price ${stop.price as string} must be ${lossSide} the entry (${reference.toFixed()}) for a ${context.direction} position`);
          }
          break;
        }
        case 'percent':
          problems.percentBelowHundred('the stop-loss percent', stop.percent);
          break;
        case 'atr':
          problems.positive('the stop-loss ATR multiple', stop.multiple);
          needsAtr('ATR stop-loss');
          break;
        case 'confidence': {
          const low = problems.percentBelowHundred('the stop-loss minPercent', stop.minPercent);
          const high = problems.percentBelowHundred('the stop-loss maxPercent', stop.maxPercent);
          if (low !== undefined && high !== undefined && high.lt(low)) problems.add(`the stop-loss maxPercent ${stop.maxPercent as string} must not be below its minPercent ${stop.minPercent as string}`);
          if (inputs?.confidence === undefined) problems.add("the confidence stop-loss needs the signal's confidence, and none was given");
          break;
        }
        default:
          problems.add(`unknown stop-loss method ${JSON.stringify(stop.method)}: use price, percent, atr or confidence`);
      }
    }
  }

  const takeProfit = plan.takeProfit as unknown;
  if (takeProfit !== undefined) {
    if (!Array.isArray(takeProfit)) problems.add('takeProfit must be a list of levels, each with a target and a fraction');
    else {
      let sum: Decimal | undefined = ZERO;
      takeProfit.forEach((level: unknown, index) => {
        const name = takeProfit.length === 1 ? 'the take-profit' : `take-profit level ${index + 1}`;
        if (!isObject(level) || !isObject(level.target)) {
          problems.add(`${name} must be an object with a target and a fraction`);
          sum = undefined;
          return;
        }
        const fraction = problems.unitFraction(`${name}'s fraction`, level.fraction);
        sum = fraction === undefined || sum === undefined ? undefined : sum.plus(fraction);
        const target = level.target;
        switch (target.method) {
          case 'price': {
            const price = problems.positive(`${name}'s price`, target.price);
            if (price !== undefined && reference !== undefined && (long ? !price.gt(reference) : !price.lt(reference))) {
              problems.add(`${name}'s price ${target.price as string} must be ${profitSide} the entry (${reference.toFixed()}) for a ${context.direction} position`);
            }
            break;
          }
          case 'percent':
            if (long) problems.positive(`${name}'s percent`, target.percent);
            else problems.percentBelowHundred(`${name}'s percent`, target.percent);
            break;
          case 'riskReward':
            problems.positive(`${name}'s risk-reward multiple`, target.multiple);
            if (stop === undefined) problems.add(`${name} is a multiple of the stop distance, and the plan has no stop-loss`);
            break;
          case 'atr':
            problems.positive(`${name}'s ATR multiple`, target.multiple);
            needsAtr(`ATR ${name}`);
            break;
          default:
            problems.add(`unknown method ${JSON.stringify(target.method)} for ${name}: use price, percent, riskReward or atr`);
        }
      });
      const total = sum as Decimal | undefined;
      if (takeProfit.length > 0 && total !== undefined && !total.eq(ONE)) {
        problems.add(`the take-profit fractions sum to ${total.toFixed()}; they must sum to exactly 1 (use scaleOut to take off only part of the position)`);
      }
    }
  }

  const breakEven = plan.breakEven as unknown;
  if (breakEven !== undefined) {
    if (!isObject(breakEven)) problems.add('breakEven must be an object with a trigger');
    else checkTrigger(problems, 'the break-even trigger', breakEven.trigger, stop !== undefined);
  }

  const trailing = plan.trailing as unknown;
  if (trailing !== undefined) {
    if (!isObject(trailing) || !isObject(trailing.distance)) problems.add('trailing must be an object with a distance');
    else {
      const distance = trailing.distance;
      switch (distance.kind) {
        case 'offset':
          problems.positive('the trailing offset', distance.offset);
          break;
        case 'percent':
          problems.percentBelowHundred('the trailing percent', distance.percent);
          break;
        case 'atr':
          problems.positive('the trailing ATR multiple', distance.multiple);
          needsAtr('ATR trailing stop');
          break;
        default:
          problems.add(`unknown trailing distance ${JSON.stringify(distance.kind)}: use offset, percent or atr`);
      }
      if (trailing.activation !== undefined) checkTrigger(problems, 'the trailing activation', trailing.activation, stop !== undefined);
    }
  }

  if (plan.scaleIn !== undefined) checkScaling(problems, 'scale-in', plan.scaleIn as unknown, atrGiven);
  if (plan.scaleOut !== undefined) {
    checkScaling(problems, 'scale-out', plan.scaleOut as unknown, atrGiven);
    if (Array.isArray(takeProfit) && takeProfit.length > 0) problems.add('the plan has both a take-profit ladder and a scale-out plan: give one of them');
  }

  // The shape is sound: resolve it where the entry is expected, on the instrument's grid.
  if (problems.list.length === 0 && reference !== undefined) {
    try {
      resolveProtection({
        plan,
        inputs: inputs ?? {},
        side: long ? 'buy' : 'sell',
        entryPrice: reference.toFixed(),
        quantity: context.quantity ?? context.instrument.lotSize.toFixed(),
        grid: context.instrument,
        // Fees only move the break-even stop; none here keeps the check independent of the fee schedule.
        fees: { kind: 'rate', entryRate: ZERO, exitRate: ZERO },
      });
    } catch (error) {
      problems.add(`the plan cannot be applied at an entry of ${reference.toFixed()}: ${(error as Error).message}`);
    }
  }
  return problems.list;
}

function checkTrigger(problems: Problems, name: string, trigger: unknown, hasStop: boolean): void {
  if (!isObject(trigger)) {
    problems.add(`${name} must be an object with a kind (percent or rMultiple)`);
    return;
  }
  const kind = (trigger as ProfitTrigger).kind as unknown;
  if (kind === 'percent') problems.positive(`${name} percent`, trigger.percent);
  else if (kind === 'rMultiple') {
    problems.positive(`${name} R multiple`, trigger.multiple);
    if (!hasStop) problems.add(`${name} is a multiple of the stop distance (R), and the plan has no stop-loss to measure it from`);
  } else problems.add(`unknown kind ${JSON.stringify(kind)} for ${name}: use percent or rMultiple`);
}

function checkScaling(problems: Problems, name: string, given: unknown, atrGiven: boolean): void {
  if (!isObject(given)) {
    problems.add(`the ${name} plan must be an object`);
    return;
  }
  const plan = given as unknown as ScalingPlan;
  problems.unitFraction(`the ${name} fraction`, plan.fraction);
  if (!Number.isSafeInteger(plan.levels) || plan.levels < 1) problems.add(`the ${name} plan needs a whole number of levels of at least 1, got ${JSON.stringify(plan.levels)}`);
  const spacing = plan.spacing as unknown;
  if (!isObject(spacing)) problems.add(`the ${name} plan needs a spacing (percent or atr)`);
  else if (spacing.kind === 'percent') problems.percentBelowHundred(`the ${name} spacing percent`, spacing.percent);
  else if (spacing.kind === 'atr') {
    problems.positive(`the ${name} spacing ATR multiple`, spacing.multiple);
    if (!atrGiven) problems.add(`the ATR ${name} spacing needs the signal's atr, and none was given`);
  } else problems.add(`unknown ${name} spacing ${JSON.stringify(spacing.kind)}: use percent or atr`);
  if (!SCHEDULES.includes(plan.schedule)) problems.add(`unknown ${name} schedule ${JSON.stringify(plan.schedule)}: use ${SCHEDULES.join(', ')}`);
  if (plan.growth !== undefined) problems.positive(`the ${name} growth`, plan.growth);
  if (plan.schedule === 'volatility') {
    if (!Array.isArray(plan.volatilities) || plan.volatilities.length !== plan.levels) {
      problems.add(`the ${name} volatility schedule needs one volatility per level (${plan.levels})`);
    } else plan.volatilities.forEach((volatility, index) => problems.positive(`the ${name} volatility ${index + 1}`, volatility));
  }
  if (plan.largestAt !== undefined && plan.largestAt !== 'farthest' && plan.largestAt !== 'nearest') {
    problems.add(`the ${name} largestAt must be "farthest" or "nearest", got ${JSON.stringify(plan.largestAt)}`);
  }
}
