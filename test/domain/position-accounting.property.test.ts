// Properties of net-position accounting over any sequence of fills: cash is conserved exactly, realized PnL
// is the average-cost PnL of the closed parts, flips hand over exactly the excess, quantities stay sane.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, ZERO, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import {
  applyPositionFill,
  flatPosition,
  positionFromOpening,
  positionValue,
  splitFee,
  unrealizedPnl,
  type NetPosition,
  type PositionFill,
  type PositionFillResult,
} from '../../src/domain/position-accounting.ts';

/** Quote-currency cash a fill moves: a buy pays quantity × price, a sell receives it; the fee always goes out. */
function cashFlowOf(fill: PositionFill): Decimal {
  const notional = decimal(fill.quantity).times(fill.price);
  return (fill.side === 'buy' ? notional.neg() : notional).minus(fill.fee);
}

/** Quantities in lots of 0.001, prices in ticks of 0.01, fees in units of 0.0001, as a venue would send them. */
const lotsOf = (n: number) => decimal(n).times('0.001').toFixed();
const ticksOf = (n: number) => decimal(n).times('0.01').toFixed();
const feeOf = (n: number) => decimal(n).times('0.0001').toFixed();

/** A fill to come: `exact` closes whatever is open (so exact closes happen as often as flips), else free. */
const stepArbitrary = fc.record({
  side: fc.constantFrom<OrderSide>('buy', 'sell'),
  lots: fc.integer({ min: 1, max: 3_000 }),
  ticks: fc.integer({ min: 1, max: 2_000_000 }),
  fee: fc.integer({ min: 0, max: 50_000 }),
  exact: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});
const marksArbitrary = fc.array(fc.integer({ min: 1, max: 2_000_000 }).map(ticksOf), { minLength: 1, maxLength: 3 });
const stepsArbitrary = fc.array(stepArbitrary, { minLength: 1, maxLength: 40 });
const START_CASH = '100000';

type Step = { side: OrderSide; lots: number; ticks: number; fee: number; exact: boolean };

interface Applied {
  readonly before: NetPosition;
  readonly fill: PositionFill;
  readonly result: PositionFillResult;
  /** The position that carries on: the result's, or the new one a flip started. */
  readonly after: NetPosition;
}

function fillFor(step: Step, position: NetPosition): PositionFill {
  if (step.exact && position.direction !== 'flat') {
    return { side: position.direction === 'long' ? 'sell' : 'buy', quantity: position.quantity, price: ticksOf(step.ticks), fee: feeOf(step.fee) };
  }
  return { side: step.side, quantity: lotsOf(step.lots), price: ticksOf(step.ticks), fee: feeOf(step.fee) };
}

/** Runs the fills, carrying a flip's excess into a new position; `finished` holds the positions a flip left behind. */
function run(steps: Step[], visit: (applied: Applied, finished: readonly NetPosition[]) => void = () => {}) {
  let position = flatPosition();
  const finished: NetPosition[] = [];
  const fills: PositionFill[] = [];
  for (const step of steps) {
    const fill = fillFor(step, position);
    fills.push(fill);
    const result = applyPositionFill(position, fill);
    let after = result.position;
    if (result.flipped) {
      finished.push(result.position);
      after = positionFromOpening(fill.side === 'buy' ? 'long' : 'short', result.opening!);
    }
    visit({ before: position, fill, result, after }, finished);
    position = after;
  }
  return { position, finished, fills };
}

function sum(values: readonly DecimalString[]): Decimal {
  return values.reduce((total, value) => total.plus(value), ZERO);
}

/** Exact rationals, for a reference average cost that is never rounded. */
interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

function fraction(value: DecimalString): Fraction {
  const negative = value.startsWith('-');
  const [whole = '0', decimals = ''] = (negative ? value.slice(1) : value).split('.');
  const n = BigInt(whole + decimals) * (negative ? -1n : 1n);
  return { n, d: 10n ** BigInt(decimals.length) };
}

const times = (a: Fraction, b: Fraction): Fraction => ({ n: a.n * b.n, d: a.d * b.d });
const plus = (a: Fraction, b: Fraction): Fraction => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const minus = (a: Fraction, b: Fraction): Fraction => plus(a, { n: -b.n, d: b.d });
const over = (a: Fraction, b: Fraction): Fraction => ({ n: a.n * b.d, d: a.d * b.n });
const abs = (a: Fraction): Fraction => ({ n: a.n < 0n ? -a.n : a.n, d: a.d < 0n ? -a.d : a.d });
const lte = (a: Fraction, b: Fraction): boolean => {
  const [x, y] = [a.d < 0n ? { n: -a.n, d: -a.d } : a, b.d < 0n ? { n: -b.n, d: -b.d } : b];
  return x.n * y.d <= y.n * x.d;
};

describe('position accounting properties', () => {
  it('conservation: cash + value == start + realized + unrealized - fees, exactly, at every step and any mark', () => {
    fc.assert(
      fc.property(stepsArbitrary, marksArbitrary, (steps, marks) => {
        let cash = decimal(START_CASH);
        run(steps, ({ fill, after }, finished) => {
          cash = cash.plus(cashFlowOf(fill));
          const positions = [...finished, after];
          const realized = sum(positions.map((p) => p.realizedPnl));
          const fees = sum(positions.map((p) => p.fees));
          for (const mark of marks) {
            const left = cash.plus(positionValue(after, mark));
            const right = decimal(START_CASH).plus(realized).plus(unrealizedPnl(after, mark)).minus(fees);
            expect(left.toFixed()).toBe(right.toFixed());
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('fees: the positions together carry every fee paid, exactly', () => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        const { position, finished, fills } = run(steps);
        expect(sum([...finished, position].map((p) => p.fees)).toFixed()).toBe(sum(fills.map((f) => f.fee)).toFixed());
      }),
    );
  });

  it('realized PnL is the average-cost PnL of the closed parts, and exactly the cash PnL of each round trip', () => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        // Reference model, from the fills alone: the open quantity, its direction and its exact cost (a rational,
        // never rounded); the cash in and out of the current round trip.
        let quantity = ZERO;
        let direction: 'long' | 'short' | 'flat' = 'flat';
        let cost: Fraction = { n: 0n, d: 1n };
        let opened = ZERO;
        let proceeds = ZERO;
        let tripRealized = ZERO;
        let realizedOfParts = ZERO;
        const tolerance = fraction('0.000000000000000000000000001'); // 1e-27
        const reportedRealized: DecimalString[] = [];

        const { position, finished } = run(steps, ({ before, fill, result }) => {
          const fillDirection = fill.side === 'buy' ? 'long' : 'short';
          const sign = direction === 'long' ? '1' : '-1';
          const addsOrOpens = direction === 'flat' || direction === fillDirection;
          if (!addsOrOpens) {
            const closingQuantity = decimal(fill.quantity).gt(quantity) ? quantity : decimal(fill.quantity);
            const closing = result.closing!;
            expect(closing.quantity).toBe(closingQuantity.toFixed());
            const average = before.averageEntryPrice!;
            // The average reported is the exact average cost, up to the rounding at 30 places.
            expect(lte(abs(minus(fraction(average), over(cost, fraction(quantity.toFixed())))), tolerance)).toBe(true);
            const byAverage = decimal(fill.price).minus(average).times(closingQuantity).times(sign);
            realizedOfParts = realizedOfParts.plus(byAverage);
            tripRealized = tripRealized.plus(closing.realizedPnl);
            reportedRealized.push(closing.realizedPnl);
            proceeds = proceeds.plus(closingQuantity.times(fill.price));
            if (closingQuantity.lt(quantity)) {
              // A partial close realizes exactly (exit - average at that time) * quantity * sign.
              expect(closing.realizedPnl).toBe(byAverage.toFixed());
              cost = times(cost, over(fraction(quantity.minus(closingQuantity).toFixed()), fraction(quantity.toFixed())));
              quantity = quantity.minus(closingQuantity);
            } else {
              // The round trip is over: its realized PnL is exactly what it made in cash, before fees ...
              expect(tripRealized.toFixed()).toBe(proceeds.minus(opened).times(sign).toFixed());
              // ... and the last part differs from (exit - average) * quantity only by the average's rounding.
              expect(lte(abs(fraction(byAverage.minus(closing.realizedPnl).toFixed())), tolerance)).toBe(true);
              quantity = ZERO;
              direction = 'flat';
              cost = { n: 0n, d: 1n };
              opened = proceeds = tripRealized = ZERO;
            }
          }
          const excess = addsOrOpens ? decimal(fill.quantity) : decimal(fill.quantity).minus(before.quantity);
          if (excess.gt(ZERO)) {
            direction = fillDirection;
            quantity = quantity.plus(excess);
            cost = plus(cost, times(fraction(excess.toFixed()), fraction(fill.price)));
            opened = opened.plus(excess.times(fill.price));
          }
        });
        const total = sum([...finished, position].map((p) => p.realizedPnl));
        expect(total.toFixed()).toBe(sum(reportedRealized).toFixed());
        // Summed over every closing part, the average-cost definition agrees up to one rounding per round trip.
        expect(lte(abs(fraction(total.minus(realizedOfParts).toFixed())), fraction(decimal(steps.length).times('0.000000000000000000000000001').toFixed()))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a flip leaves the new position exactly the excess, opposite, at the fill price; the fee parts add up exactly', () => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        run(steps, ({ before, fill, result, after }) => {
          if (!result.flipped) {
            if (result.closing !== undefined) expect(decimal(fill.quantity).lte(before.quantity)).toBe(true);
            return;
          }
          const excess = decimal(fill.quantity).minus(before.quantity).toFixed();
          expect(result.closed).toBe(true);
          expect(result.position.direction).toBe('flat');
          expect(result.closing!.quantity).toBe(before.quantity);
          expect(result.opening!.quantity).toBe(excess);
          expect(decimal(result.closing!.fee).plus(result.opening!.fee).toFixed()).toBe(decimal(fill.fee).toFixed());
          expect(decimal(result.closing!.fee).gte(ZERO) && decimal(result.opening!.fee).gte(ZERO)).toBe(true);
          expect(after.direction).toBe(before.direction === 'long' ? 'short' : 'long');
          expect(after.quantity).toBe(excess);
          expect(after.averageEntryPrice).toBe(decimal(fill.price).toFixed());
          expect(after.entryCost).toBe(decimal(excess).times(fill.price).toFixed());
          expect(after.fees).toBe(result.opening!.fee);
          expect(after.realizedPnl).toBe('0');
        });
      }),
    );
  });

  it('quantity is never negative, flat iff quantity is "0", and opened - closed = quantity', () => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        run(steps, ({ result, after }) => {
          for (const position of [result.position, after]) {
            expect(decimal(position.quantity).gte(ZERO)).toBe(true);
            const flat = position.quantity === '0';
            expect(position.direction === 'flat').toBe(flat);
            expect(position.averageEntryPrice === undefined).toBe(flat);
            expect(position.entryCost === '0').toBe(flat);
            expect(decimal(position.openedQuantity).minus(position.closedQuantity).toFixed()).toBe(position.quantity);
            expect(JSON.parse(JSON.stringify(position))).toEqual(position);
          }
          expect(result.closed).toBe(result.position.direction === 'flat');
        });
      }),
    );
  });

  it('splitFee: the two parts add back to the fee exactly and each lies within it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100_000 }), fc.nat(), (feeUnits, whole, at) => {
        const fee = feeOf(feeUnits);
        const part = at % (whole + 1);
        const share = splitFee(fee, lotsOf(part), lotsOf(whole));
        const rest = decimal(fee).minus(share);
        expect(decimal(share).plus(rest).toFixed()).toBe(fee);
        expect(decimal(share).gte(ZERO) && rest.gte(ZERO)).toBe(true);
      }),
    );
  });
});
