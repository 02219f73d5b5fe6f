// One-cancels-other and its kin, in one place: what every leg of a contingent group should still have open
// after fills on any of them. Order lists (OCO, OUO, OTO, bracket) and positions (stop + take-profits) both size
// their legs here. Pure: the charts turn the difference between these targets and their orders into effects.
import { ZERO, roundToStep, type Decimal } from './decimal.ts';
import { splitQuantity } from '../risk/allocation.ts';

/**
 * How the legs of a group relate:
 * - cancelsOthers (OCO): the first fill on any leg cancels the others; the filling leg keeps what it has left;
 * - updatesOthers (OUO): the legs are alternatives for one quantity: each holds what no leg has filled yet;
 * - followsTrigger (OTO): each leg holds the trigger's fills less its own;
 * - protectsPosition (a position's or a bracket's exits): each leg takes off the position it protects, the
 *   whole of it (a stop, a bracket exit) or its planned share (a take-profit rung), never more.
 */
export type ContingencyRelation = 'cancelsOthers' | 'updatesOthers' | 'followsTrigger' | 'protectsPosition';

/** What a protective leg holds: the whole position, or a share of it weighted by its planned size. */
export type LegCover = { readonly kind: 'whole' } | { readonly kind: 'share'; readonly weight: Decimal };

export interface ContingentLeg {
  readonly id: string;
  /** The leg's own quantity (OCO and OUO legs); legs sized from fills have none. */
  readonly quantity?: Decimal;
  /** What the leg has filled so far. */
  readonly filled: Decimal;
  /** protectsPosition only; a leg without one covers the whole position. */
  readonly cover?: LegCover;
}

export interface ContingentGroup {
  readonly relation: ContingencyRelation;
  readonly legs: readonly ContingentLeg[];
  /**
   * followsTrigger: the trigger's filled quantity. protectsPosition: the position still open (entry filled less
   * what its exits filled). Unused otherwise.
   */
  readonly basis?: Decimal;
  /**
   * protectsPosition with share legs: the part of the planned position no share leg was planned for (a ladder
   * that takes off half the position leaves half uncovered), and the lot the shares are rounded down to.
   */
  readonly uncovered?: Decimal;
  readonly lotSize?: Decimal;
}

function nonNegative(value: Decimal): Decimal {
  return value.gt(ZERO) ? value : ZERO;
}

/** Every leg's quantity still to be held open, by leg id. Never negative; a leg with zero is to be canceled. */
export function openTargets(group: ContingentGroup): Map<string, Decimal> {
  const targets = new Map<string, Decimal>();
  const groupFilled = group.legs.reduce((sum, leg) => sum.plus(leg.filled), ZERO);
  const basis = nonNegative(group.basis ?? ZERO);
  if (group.relation === 'protectsPosition') return protectiveTargets(group, basis);
  for (const leg of group.legs) {
    const own = leg.quantity ?? ZERO;
    switch (group.relation) {
      case 'cancelsOthers':
        targets.set(leg.id, groupFilled.gt(ZERO) && leg.filled.eq(ZERO) ? ZERO : nonNegative(own.minus(leg.filled)));
        break;
      case 'updatesOthers':
        targets.set(leg.id, nonNegative(own.minus(groupFilled)));
        break;
      case 'followsTrigger':
        targets.set(leg.id, nonNegative(basis.minus(leg.filled)));
        break;
    }
  }
  return targets;
}

/**
 * A whole leg holds the position, no less (it protects all of it) and no more (racing fills cannot flip it).
 * Share legs together hold the share of the position they were planned for, rounded down to the lot and split
 * by their weights, so they never take off more than is held.
 */
function protectiveTargets(group: ContingentGroup, position: Decimal): Map<string, Decimal> {
  const targets = new Map<string, Decimal>();
  const shares = group.legs.filter((leg): leg is ContingentLeg & { cover: { kind: 'share'; weight: Decimal } } => leg.cover?.kind === 'share');
  for (const leg of group.legs) if (leg.cover?.kind !== 'share') targets.set(leg.id, position);
  if (shares.length === 0) return targets;
  const lot = group.lotSize;
  if (lot === undefined) throw new Error('share legs need the lot size they are rounded to');
  const covered = shares.reduce((sum, leg) => sum.plus(leg.cover.weight), ZERO);
  const uncovered = nonNegative(group.uncovered ?? ZERO);
  // Multiplied before dividing: a third of 1.5 is 0.5, not 0.4999... rounded down.
  const total = covered.gt(ZERO) ? roundToStep(position.times(covered).div(covered.plus(uncovered)), lot, 'down') : ZERO;
  const parts = total.gt(ZERO) ? splitQuantity(total, shares.map((leg) => leg.cover.weight), { lotSize: lot }, 'largestRemainder') : shares.map(() => ZERO);
  shares.forEach((leg, index) => targets.set(leg.id, parts[index]!));
  return targets;
}

/** What a working order must become to hold its leg's target: amended to a new size, or canceled. */
export interface LegChanges {
  readonly amend: readonly { readonly id: string; readonly quantity: Decimal }[];
  readonly cancel: readonly string[];
}

export interface WorkingLegOrder {
  readonly id: string;
  /** What it has filled (zero when not given). */
  readonly filled?: Decimal;
  /** The size last asked of it, when known: an amendment is asked only for a change. */
  readonly requested?: Decimal;
}

/**
 * The amendments and cancels that bring working orders to their targets (targets are what is still to be
 * held open, so an order of `filled` keeps its fills: `quantity` is filled + target). Orders without a target
 * are left alone.
 */
export function legChanges(targets: ReadonlyMap<string, Decimal>, working: readonly WorkingLegOrder[]): LegChanges {
  const amend: { id: string; quantity: Decimal }[] = [];
  const cancel: string[] = [];
  for (const order of working) {
    const target = targets.get(order.id);
    if (target === undefined) continue;
    if (!target.gt(ZERO)) {
      cancel.push(order.id);
      continue;
    }
    const quantity = (order.filled ?? ZERO).plus(target);
    if (order.requested === undefined || !order.requested.eq(quantity)) amend.push({ id: order.id, quantity });
  }
  return { amend, cancel };
}
