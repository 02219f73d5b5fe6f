// Test support: a small pure simulation around one algo actor. A seeded synthetic market (a mid that walks
// by ticks, a one-tick spread, depth at the touch, trades each second) and a fake venue that fills the algo's
// children against it, delivering reports the way the engine would: queued, one event at a time, after the
// transition that caused them. Not the engine and not the paper venue: it exercises the charts alone.
import { createActor, type AnyStateMachine } from 'xstate';
import type { AlgoEvent, ChildSubmission } from '../../../machines/algos/algo-contract.ts';
import { decimal, ZERO, type Decimal } from '../../../src/domain/decimal.ts';
import { drawRandom } from '../../../src/domain/algo-random.ts';
import { withRecordedEffects, type Effect } from './algo-driver.ts';

interface VenueChild {
  readonly submission: ChildSubmission;
  filled: Decimal;
  open: boolean;
}

export interface SimulatedFill {
  readonly at: number;
  readonly childId: string;
  readonly quantity: Decimal;
  readonly price: Decimal;
}

export interface MarketOptions {
  readonly seed: number;
  readonly startAt: number;
  readonly mid: string;
  readonly tickSize: string;
  /** Largest volume traded by others each second, in lots. */
  readonly maxLotsPerSecond: number;
  readonly lotSize: string;
}

export class SimulatedVenue {
  readonly fills: SimulatedFill[] = [];
  /** Volume traded on the market each second, ours included. */
  totalVolume: Decimal = ZERO;
  /** Largest quantity the algo's resting children showed at once. */
  largestShown: Decimal = ZERO;
  now: number;
  private readonly children = new Map<string, VenueChild>();
  private readonly inbox: AlgoEvent[] = [];
  private readonly effects: Effect[] = [];
  private random: number;
  private mid: Decimal;
  private trade = 0;
  private volumeSinceLastReport: Decimal = ZERO;
  actor: ReturnType<typeof createActor<AnyStateMachine>>;

  constructor(
    private readonly machine: AnyStateMachine,
    input: unknown,
    private readonly market: MarketOptions,
  ) {
    this.now = market.startAt;
    this.random = market.seed;
    this.mid = decimal(market.mid);
    this.actor = this.start(input);
  }

  private start(input: unknown, snapshot?: unknown) {
    return createActor(withRecordedEffects(this.machine, this.effects), { input, ...(snapshot === undefined ? {} : { snapshot }) } as never).start();
  }

  get bestBid(): Decimal {
    return this.mid.minus(decimal(this.market.tickSize).div('2'));
  }

  get bestAsk(): Decimal {
    return this.mid.plus(decimal(this.market.tickSize).div('2'));
  }

  /** Delivers an event, then every effect it caused and every report those caused, until all is quiet. */
  send(event: AlgoEvent): void {
    this.inbox.push(event);
    while (this.inbox.length > 0) {
      this.actor.send(this.inbox.shift()!);
      while (this.effects.length > 0) this.apply(this.effects.shift()!);
    }
  }

  /**
   * The process dies and comes back: the actor is rebuilt from its persisted snapshot (as JSON, as the store
   * keeps it). Reports queued meanwhile are delivered to the restored actor.
   */
  restart(input: unknown): void {
    const persisted = JSON.parse(JSON.stringify(this.actor.getPersistedSnapshot()));
    this.actor.stop();
    this.actor = this.start(input, persisted);
  }

  /** One second of market: the mid moves, others trade, resting children fill, the algo hears of it. */
  step(): void {
    this.now += 1_000;
    const move = this.draw(3) - 1;
    this.mid = this.mid.plus(decimal(this.market.tickSize).times(decimal(move)));
    const lots = this.draw(this.market.maxLotsPerSecond + 1);
    const volume = decimal(this.market.lotSize).times(decimal(lots));
    const aggressor = this.draw(2) === 0 ? 'buy' : 'sell';
    this.totalVolume = this.totalVolume.plus(volume);
    this.volumeSinceLastReport = this.volumeSinceLastReport.plus(volume);
    // Others' aggressive trades take resting children at the touch they hit, first come first served.
    let left = volume;
    for (const child of this.children.values()) {
      if (!child.open || child.submission.timeInForce === 'IOC' || left.eq(ZERO)) continue;
      const price = decimal(child.submission.price!);
      const hit = child.submission.side === 'buy' ? aggressor === 'sell' && price.gte(this.bestBid) : aggressor === 'buy' && price.lte(this.bestAsk);
      if (!hit) continue;
      const quantity = min(left, decimal(child.submission.quantity).minus(child.filled));
      left = left.minus(quantity);
      this.fill(child, quantity, price, false);
    }
    const volumeReported = this.volumeSinceLastReport;
    this.volumeSinceLastReport = ZERO;
    this.send({ type: 'market', at: this.now, bestBid: this.bestBid.toFixed(), bestAsk: this.bestAsk.toFixed(), volume: volumeReported.toFixed() });
    const wake = (this.actor.getSnapshot() as { context: { nextWakeAt?: number } }).context.nextWakeAt;
    if (wake !== undefined && wake <= this.now) this.send({ type: 'timer.due', at: this.now });
  }

  /** Largest quantity resting at once, measured after every change. */
  private measureShown(): void {
    let shown = ZERO;
    for (const child of this.children.values()) if (child.open && child.submission.timeInForce !== 'IOC') shown = shown.plus(decimal(child.submission.quantity).minus(child.filled));
    if (shown.gt(this.largestShown)) this.largestShown = shown;
  }

  private apply(effect: Effect): void {
    if (effect.type === 'submitChild') {
      const child: VenueChild = { submission: effect.params, filled: ZERO, open: true };
      this.children.set(effect.params.childId, child);
      if (effect.params.timeInForce === 'IOC') this.takeLiquidity(child);
      this.measureShown();
    } else if (effect.type === 'cancelChild') {
      const child = this.children.get(effect.params.childId);
      if (child?.open) this.end(child, 'canceled');
    }
  }

  /** An IOC takes what the touch holds (depth drawn each time), within its limit; the rest is canceled. */
  private takeLiquidity(child: VenueChild): void {
    const side = child.submission.side;
    const touch = side === 'buy' ? this.bestAsk : this.bestBid;
    const limit = child.submission.price === undefined ? undefined : decimal(child.submission.price);
    const acceptable = limit === undefined || (side === 'buy' ? touch.lte(limit) : touch.gte(limit));
    if (acceptable) {
      const depth = decimal(this.market.lotSize).times(decimal(200 + this.draw(2_000)));
      const quantity = min(depth, decimal(child.submission.quantity));
      this.fill(child, quantity, touch, true);
    }
    if (child.open) this.end(child, 'canceled');
  }

  private fill(child: VenueChild, quantity: Decimal, price: Decimal, taker: boolean): void {
    if (quantity.eq(ZERO)) return;
    child.filled = child.filled.plus(quantity);
    this.trade += 1;
    this.fills.push({ at: this.now, childId: child.submission.childId, quantity, price });
    // Our trade is on the tape too; a resting child's fill was part of the volume already counted.
    if (taker) {
      this.totalVolume = this.totalVolume.plus(quantity);
      this.volumeSinceLastReport = this.volumeSinceLastReport.plus(quantity);
    }
    const filledAll = child.filled.eq(child.submission.quantity);
    if (filledAll) child.open = false;
    this.inbox.push({ type: 'child.filled', at: this.now, childId: child.submission.childId, tradeId: `T${this.trade}`, quantity: quantity.toFixed(), price: price.toFixed() });
    if (filledAll) this.inbox.push({ type: 'child.ended', at: this.now, childId: child.submission.childId, status: 'filled', remaining: '0' });
  }

  private end(child: VenueChild, status: 'canceled'): void {
    child.open = false;
    this.inbox.push({ type: 'child.ended', at: this.now, childId: child.submission.childId, status, remaining: decimal(child.submission.quantity).minus(child.filled).toFixed() });
  }

  private draw(below: number): number {
    const draw = drawRandom(this.random);
    this.random = draw.state;
    return Number(draw.fraction.times(decimal(below)).round(0, 0).toFixed());
  }

  ourVolume(): Decimal {
    return this.fills.reduce((sum, fill) => sum.plus(fill.quantity), ZERO);
  }
}

function min(a: Decimal, b: Decimal): Decimal {
  return a.lt(b) ? a : b;
}
