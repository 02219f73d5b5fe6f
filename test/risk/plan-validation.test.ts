// A position plan is checked whole before anything is sent: every problem comes back as its own sentence.
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import { planInputIssues, validatePositionPlan, type PlanValidationContext } from '../../src/risk/plan-validation.ts';
import type { PlanInputs, PositionPlan } from '../../src/risk/protection.ts';

const instrument = { tickSize: decimal('0.1'), lotSize: decimal('0.001') };
const long = { direction: 'long' as const, referenceEntryPrice: '100', instrument };
const short = { direction: 'short' as const, referenceEntryPrice: '100', instrument };

function problems(plan: unknown, inputs: PlanInputs = {}, context: PlanValidationContext = long): string[] {
  return validatePositionPlan(plan as PositionPlan, inputs, context);
}

describe('validatePositionPlan', () => {
  it('accepts a plan that can be applied, and no plan at all', () => {
    const plan: PositionPlan = {
      stopLoss: { method: 'atr', multiple: '2' },
      takeProfit: [
        { target: { method: 'riskReward', multiple: '2' }, fraction: '0.5' },
        { target: { method: 'percent', percent: '10' }, fraction: '0.5' },
      ],
      breakEven: { trigger: { kind: 'rMultiple', multiple: '1' } },
      trailing: { distance: { kind: 'offset', offset: '1.5' }, activation: { kind: 'percent', percent: '2' } },
    };
    expect(problems(plan, { atr: '2' })).toEqual([]);
    expect(problems({ stopLoss: { method: 'price', price: '101' } }, {}, short)).toEqual([]);
    expect(problems(undefined)).toEqual([]);
  });

  it('refuses a stop on the wrong side of the entry', () => {
    expect(problems({ stopLoss: { method: 'price', price: '100' } })).toEqual(['the stop-loss price 100 must be below the entry (100) for a long position']);
    expect(problems({ stopLoss: { method: 'price', price: '99' } }, {}, short)).toEqual(['the stop-loss price 99 must be above the entry (100) for a short position']);
  });

  it('refuses a percent stop of 0, 100 or below 0', () => {
    for (const percent of ['0', '100', '-1', '150']) {
      expect(problems({ stopLoss: { method: 'percent', percent } })).toEqual([`the stop-loss percent must be above 0 and below 100 (it is a percent), got ${percent}`]);
    }
  });

  it('refuses an ATR stop without an ATR, and a negative or zero ATR whatever uses it', () => {
    expect(problems({ stopLoss: { method: 'atr', multiple: '2' } })).toEqual(["the ATR stop-loss needs the signal's atr, and none was given"]);
    expect(problems({ stopLoss: { method: 'atr', multiple: '2' } }, { atr: '-2' })).toEqual(['atr must be above 0, got -2']);
    expect(problems(undefined, { atr: '0' })).toEqual(['atr must be above 0, got 0']);
    expect(planInputIssues({ atr: '-0.5', confidence: '1.5' })).toEqual(['atr must be above 0, got -0.5', 'confidence must be from 0 to 1, got 1.5']);
  });

  it('refuses a take-profit on the wrong side, fractions above 1 and fractions that do not sum to 1', () => {
    expect(problems({ takeProfit: [{ target: { method: 'price', price: '95' }, fraction: '1' }] })).toEqual([
      "the take-profit's price 95 must be above the entry (100) for a long position",
    ]);
    expect(problems({ takeProfit: [{ target: { method: 'price', price: '105' }, fraction: '1' }] }, {}, short)).toEqual([
      "the take-profit's price 105 must be below the entry (100) for a short position",
    ]);
    expect(problems({ takeProfit: [{ target: { method: 'percent', percent: '5' }, fraction: '1.5' }] })).toEqual([
      "the take-profit's fraction must be above 0 and at most 1, got 1.5",
    ]);
    expect(
      problems({
        takeProfit: [
          { target: { method: 'percent', percent: '5' }, fraction: '0.7' },
          { target: { method: 'percent', percent: '8' }, fraction: '0.6' },
        ],
      }),
    ).toEqual(['the take-profit fractions sum to 1.3; they must sum to exactly 1 (use scaleOut to take off only part of the position)']);
  });

  it('refuses a negative trailing offset or percent, and an activation that cannot be computed', () => {
    expect(problems({ trailing: { distance: { kind: 'offset', offset: '-5' } } })).toEqual(['the trailing offset must be above 0, got -5']);
    expect(problems({ trailing: { distance: { kind: 'percent', percent: '-1' } } })).toEqual([
      'the trailing percent must be above 0 and below 100 (it is a percent), got -1',
    ]);
    expect(problems({ trailing: { distance: { kind: 'percent', percent: '1' }, activation: { kind: 'rMultiple', multiple: '2' } } })).toEqual([
      'the trailing activation is a multiple of the stop distance (R), and the plan has no stop-loss to measure it from',
    ]);
    expect(problems({ breakEven: { trigger: { kind: 'percent', percent: '-1' } } })).toEqual(['the break-even trigger percent must be above 0, got -1']);
    expect(problems({ breakEven: { trigger: { kind: 'rMultiple', multiple: '1' } } })).toEqual([
      'the break-even trigger is a multiple of the stop distance (R), and the plan has no stop-loss to measure it from',
    ]);
  });

  it('returns every problem at once, and refuses what is not a decimal string or a known method', () => {
    expect(
      problems({
        stopLoss: { method: 'percent', percent: 2 },
        takeProfit: [{ target: { method: 'guess' }, fraction: '1' }],
        trailing: { distance: { kind: 'offset', offset: '-1' } },
        hedge: true,
      }),
    ).toEqual([
      'the plan has an unknown part "hedge": use stopLoss, takeProfit, breakEven, trailing, scaleIn, scaleOut',
      'the stop-loss percent must be a decimal string such as "2.5", got 2',
      'unknown method "guess" for the take-profit: use price, percent, riskReward or atr',
      'the trailing offset must be above 0, got -1',
    ]);
  });

  it('resolves the plan on the grid at the reference price: a stop under one tick away is refused', () => {
    expect(problems({ stopLoss: { method: 'percent', percent: '0.01' } })).toEqual([
      'the plan cannot be applied at an entry of 100: stop-loss 99.99 rounds to 100, which is not below the entry 100: the stop distance is under one tick (0.1)',
    ]);
  });

  it('without a reference price still checks everything that does not depend on it', () => {
    const { referenceEntryPrice: _, ...noReference } = long;
    expect(validatePositionPlan({ stopLoss: { method: 'price', price: '150' }, trailing: { distance: { kind: 'offset', offset: '-1' } } }, {}, noReference)).toEqual([
      'the trailing offset must be above 0, got -1',
    ]);
  });
});
