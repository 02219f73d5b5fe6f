// Fill models of the paper venue: how a resting order's queue position starts and moves, and how much of a trade
// our orders may take. Chosen in the venue's options; the pure rules are exported for tests.
import { ONE, ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { roundQuantityToLot, type Instrument } from '../../src/domain/instrument.ts';
import { ResumableRandom } from './seeded-random.ts';

/**
 * - queuePosition (default): an order joins behind everything displayed at its price; the queue ahead shrinks
 *   by volume traded there and when the level shows less than is ahead (cancels are assumed to come from
 *   ahead only when they must): the conservative model.
 * - probabilisticQueue: as queuePosition, but a cancel at the order's price comes from ahead of it with
 *   probability (queue ahead / level size), drawn from a seeded source: deterministic per seed.
 * - tradedVolume: no queue is assumed; resting orders fill from trades at or through their price, all of
 *   ours together at most `participation` x each trade's quantity (rounded down to the lot).
 */
export type FillModelSetting =
  | { readonly kind: 'queuePosition' }
  | { readonly kind: 'probabilisticQueue'; readonly seed: number }
  | { readonly kind: 'tradedVolume'; readonly participation?: DecimalString };

export type FillModelKind = FillModelSetting['kind'];

/**
 * The queue ahead of an order after its level shrank from `levelSeen` to `displayed` with no trade: the shrink
 * is a cancel, ahead of the order when `draw` (uniform in [0, 1)) falls below ahead / levelSeen. Never more
 * ahead than the level now shows.
 */
export function probabilisticQueueAhead(ahead: Decimal, levelSeen: Decimal, displayed: Decimal, draw: number): Decimal {
  let next = ahead;
  if (displayed.lt(levelSeen) && ahead.gt(ZERO)) {
    const canceled = levelSeen.minus(displayed);
    const shareAhead = Number(ahead.div(levelSeen).toFixed(12));
    if (draw < shareAhead) next = ahead.minus(canceled.lt(ahead) ? canceled : ahead);
  }
  return displayed.lt(next) ? displayed : next;
}

/** The quantity of one trade our resting orders may share under the traded-volume model. */
export function participationVolume(instrument: Instrument, tradeQuantity: Decimal, participation: Decimal): Decimal {
  return participation.eq(ONE) ? tradeQuantity : roundQuantityToLot(instrument, tradeQuantity.times(participation));
}

export class FillModel {
  readonly kind: FillModelKind;
  /** True when orders keep `levelSeen` up to date (only the probabilistic queue needs it). */
  readonly tracksLevels: boolean;
  private readonly participation: Decimal;
  private readonly random: ResumableRandom | undefined;

  constructor(setting: FillModelSetting = { kind: 'queuePosition' }, draws = 0) {
    this.kind = setting.kind;
    this.tracksLevels = setting.kind === 'probabilisticQueue';
    this.participation = ONE;
    if (setting.kind === 'probabilisticQueue') {
      this.random = new ResumableRandom(setting.seed, draws);
    } else if (setting.kind === 'tradedVolume') {
      let participation: Decimal;
      try {
        participation = decimal(setting.participation ?? '1');
      } catch {
        throw new Error(`fill model tradedVolume: participation must be a decimal number, got ${JSON.stringify(setting.participation)}`);
      }
      if (!participation.gt(ZERO) || participation.gt(ONE)) throw new Error(`fill model tradedVolume: participation must be above 0 and at most 1, got ${toDecimalString(participation)}`);
      this.participation = participation;
    } else if (setting.kind !== 'queuePosition') {
      throw new Error(`fill model must be queuePosition, probabilisticQueue or tradedVolume, got ${JSON.stringify((setting as { kind: unknown }).kind)}`);
    }
  }

  /** Draws made so far (saved with the venue). */
  get draws(): number {
    return this.random?.draws ?? 0;
  }

  /** Queue ahead of an order joining a level that displays `displayed`. */
  joinQueue(displayed: Decimal): Decimal {
    return this.kind === 'tradedVolume' ? ZERO : displayed;
  }

  /** The queue ahead once the level at the order's price shows `displayed` (no trade in between). */
  queueAfterLevelChange(ahead: Decimal, levelSeen: Decimal, displayed: Decimal): Decimal {
    if (this.random === undefined || !displayed.lt(levelSeen) || !ahead.gt(ZERO)) return displayed.lt(ahead) ? displayed : ahead;
    return probabilisticQueueAhead(ahead, levelSeen, displayed, this.random.next());
  }

  /** What one trade offers our resting orders together. */
  tradeVolume(instrument: Instrument, tradeQuantity: Decimal): Decimal {
    return this.kind === 'tradedVolume' ? participationVolume(instrument, tradeQuantity, this.participation) : tradeQuantity;
  }
}
