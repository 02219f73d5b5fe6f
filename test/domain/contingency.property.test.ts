// The one contingency rule shared by order lists and positions: for any fills, each leg holds what its relation
// says, a protective leg covers the position and never more, and racing fills never leave a leg able to flip it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { legChanges, openTargets, type ContingentLeg } from '../../src/domain/contingency.ts';
import { decimal, ZERO, type Decimal } from '../../src/domain/decimal.ts';

const LOT = decimal('0.001');
const lots = (min: number, max: number) => fc.integer({ min, max }).map((n) => decimal(n).times(LOT));
const sum = (values: Iterable<Decimal>) => [...values].reduce((total, value) => total.plus(value), ZERO);
const isLotMultiple = (value: Decimal) => value.mod(LOT).eq(ZERO);
const smaller = (a: Decimal, b: Decimal) => (a.lt(b) ? a : b);

/** Legs of one quantity, each with some fill no larger than it. */
const fixedLegs = fc.integer({ min: 2, max: 4 }).chain((count) =>
  lots(1, 10_000).chain((quantity) =>
    fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: count, maxLength: count }).map((fills) =>
      fills.map((fill, index): ContingentLeg => ({ id: `leg${index + 1}`, quantity, filled: decimal(Math.min(fill, quantity.div(LOT).toNumber())).times(LOT) })),
    ),
  ),
);

describe('contingency: legs of a list', () => {
  it('one-cancels-other: before any fill every leg holds its quantity; after one, only legs that filled hold what they have left', () => {
    fc.assert(
      fc.property(fixedLegs, (legs) => {
        const targets = openTargets({ relation: 'cancelsOthers', legs });
        const anyFilled = legs.some((leg) => leg.filled.gt(ZERO));
        for (const leg of legs) {
          const target = targets.get(leg.id)!;
          if (!anyFilled) expect(target.eq(leg.quantity!)).toBe(true);
          else if (leg.filled.eq(ZERO)) expect(target.eq(ZERO)).toBe(true);
          else expect(target.eq(leg.quantity!.minus(leg.filled))).toBe(true);
        }
      }),
    );
  });

  it('one-updates-other: every leg holds what no leg has filled yet, so the group never fills more than one quantity', () => {
    fc.assert(
      fc.property(fixedLegs, (legs) => {
        const targets = openTargets({ relation: 'updatesOthers', legs });
        const groupFilled = sum(legs.map((leg) => leg.filled));
        for (const leg of legs) {
          const target = targets.get(leg.id)!;
          expect(target.gte(ZERO)).toBe(true);
          // Any one leg filling its target brings the group to the list's quantity, never past it.
          if (groupFilled.lte(leg.quantity!)) expect(target.plus(groupFilled).eq(leg.quantity!)).toBe(true);
          else expect(target.eq(ZERO)).toBe(true);
        }
      }),
    );
  });

  it('follows the trigger: each leg holds the trigger\'s fills less its own', () => {
    fc.assert(
      fc.property(lots(0, 10_000), fc.array(lots(0, 10_000), { minLength: 1, maxLength: 3 }), (triggerFilled, fills) => {
        const legs = fills.map((filled, index) => ({ id: `leg${index + 1}`, filled: filled.gt(triggerFilled) ? triggerFilled : filled }));
        const targets = openTargets({ relation: 'followsTrigger', legs, basis: triggerFilled });
        for (const leg of legs) expect(targets.get(leg.id)!.plus(leg.filled).eq(triggerFilled)).toBe(true);
      }),
    );
  });
});

/** A take-profit ladder: planned rung sizes, the part of the position it leaves uncovered, which rungs still work. */
const ladder = fc.record({
  position: lots(0, 20_000),
  rungs: fc.array(lots(1, 5_000), { minLength: 1, maxLength: 4 }),
  uncovered: lots(0, 5_000),
  stillWorking: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
});

describe('contingency: protective legs of a position', () => {
  it('the stop covers the whole position; working rungs their share, on the lot, never together more than is held', () => {
    fc.assert(
      fc.property(ladder, ({ position, rungs, uncovered, stillWorking }) => {
        const working = rungs.map((weight, index) => ({ id: `tp${index + 1}`, weight })).filter((_, index) => stillWorking[index]);
        const legs: ContingentLeg[] = [{ id: 'sl', filled: ZERO, cover: { kind: 'whole' } }, ...working.map((rung) => ({ id: rung.id, filled: ZERO, cover: { kind: 'share' as const, weight: rung.weight } }))];
        const targets = openTargets({ relation: 'protectsPosition', legs, basis: position, uncovered, lotSize: LOT });
        expect(targets.get('sl')!.eq(position)).toBe(true);
        const shares = working.map((rung) => targets.get(rung.id)!);
        for (const share of shares) expect(share.gte(ZERO) && isLotMultiple(share)).toBe(true);
        expect(sum(shares).lte(position)).toBe(true);
        // A ladder that covers the whole position takes all of it off, to the last lot.
        if (uncovered.eq(ZERO) && working.length > 0) expect(sum(shares).eq(position)).toBe(true);
      }),
    );
  });

  it('racing exit fills never leave a leg sized to flip the position, and a bracket\'s exits always equal what the entry filled less what exited', () => {
    // Fills arrive on any exit leg in any order, each at most what that leg was last asked to hold (its target
    // as it stood before the fills it raced); after each, the legs are sized again from the facts.
    const scenario = fc.record({
      entryFilled: lots(1, 10_000),
      fills: fc.array(fc.record({ leg: fc.constantFrom('takeProfit', 'stopLoss'), part: fc.integer({ min: 1, max: 100 }), resizeArrives: fc.boolean() }), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(scenario, ({ entryFilled, fills }) => {
        const filled = new Map([['takeProfit', ZERO], ['stopLoss', ZERO]]);
        const position = () => entryFilled.minus(sum(filled.values()));
        const size = () => openTargets({ relation: 'protectsPosition', legs: [...filled].map(([id, legFilled]) => ({ id, filled: legFilled, cover: { kind: 'whole' as const } })), basis: position() });
        // What each leg holds at the venue: its size when last resized there, less what it filled since.
        const atVenue = new Map(size());
        for (const fill of fills) {
          // Reduce-only caps a fill at the position the venue holds.
          const quantity = smaller(atVenue.get(fill.leg)!.times(decimal(fill.part)).div(decimal(100)).round(3, 0), position());
          if (quantity.gt(ZERO)) {
            filled.set(fill.leg, filled.get(fill.leg)!.plus(quantity));
            atVenue.set(fill.leg, atVenue.get(fill.leg)!.minus(quantity));
          }
          const targets = size();
          expect(position().gte(ZERO)).toBe(true);
          // Every exit is sized to the position that is left: entry filled less what exited, never more.
          for (const target of targets.values()) expect(target.eq(position())).toBe(true);
          // The resize may arrive after the next fill raced it.
          if (fill.resizeArrives) for (const [leg, target] of targets) atVenue.set(leg, target);
        }
      }),
    );
  });
});

describe('contingency: what working orders become', () => {
  it('a leg with nothing left is canceled; one with a new size is amended to its fills plus what it holds; an unchanged one is left', () => {
    fc.assert(
      fc.property(lots(0, 1_000), lots(0, 1_000), lots(0, 1_000), (target, filled, requested) => {
        const changes = legChanges(new Map([['a', target]]), [{ id: 'a', filled, requested }]);
        if (target.eq(ZERO)) expect(changes).toEqual({ amend: [], cancel: ['a'] });
        else if (filled.plus(target).eq(requested)) expect(changes).toEqual({ amend: [], cancel: [] });
        else {
          expect(changes.cancel).toEqual([]);
          expect(changes.amend.map((amendment) => [amendment.id, amendment.quantity.toFixed()])).toEqual([['a', filled.plus(target).toFixed()]]);
        }
      }),
    );
  });

  it('orders without a target are left alone', () => {
    expect(legChanges(new Map(), [{ id: 'entry' }])).toEqual({ amend: [], cancel: [] });
  });
});
