// Test support: a model of a venue as an algo's children see it, for model-based walks and properties. The
// venue executes children's quantity (never more than they hold), delivers fills late, twice or not yet,
// ends children with the remaining it knows (fills still in flight then arrive late), rejects, and the
// process may be killed and the actor restored from its JSON snapshot at any step. Each step is picked by an
// integer, so fast-check can generate and shrink interleavings.
import { expect } from 'vitest';
import { createActor, type AnyStateMachine } from 'xstate';
import type { AlgoEvent, ChildSubmission } from '../../../machines/algos/algo-contract.ts';
import type { AlgoContext } from '../../../machines/algos/algo-setup.ts';
import { committedQuantity, outstandingQuantity } from '../../../src/domain/algo-children.ts';
import { decimal, ZERO, type Decimal } from '../../../src/domain/decimal.ts';
import { recordWalked, withRecordedEffects, type Effect } from './algo-driver.ts';

interface ModelChild {
  readonly submission: ChildSubmission;
  /** Executed at the venue (delivered or not). */
  executed: Decimal;
  undelivered: Array<{ tradeId: string; quantity: string; price: string }>;
  delivered: Array<{ tradeId: string; quantity: string; price: string }>;
  /** What the actor accepted of this child's fills. */
  credited: Decimal;
  ended: boolean;
  cancelAsked: boolean;
}

export interface WalkOptions {
  readonly machine: AnyStateMachine;
  readonly input: unknown;
  readonly startAt: number;
  readonly walked?: Set<string>;
  /** Extra checks after every step. */
  readonly check?: (context: AlgoContext, model: AlgoWalk) => void;
}

export const WALK_ACTIONS = ['executeAll', 'executePart', 'deliver', 'end', 'reject', 'duplicate', 'bogus', 'market', 'timer', 'pause', 'resume', 'halt', 'tradingResumed', 'amend', 'cancel', 'restart', 'start'] as const;
export type WalkAction = (typeof WALK_ACTIONS)[number];
export type Step = { readonly action: WalkAction; readonly size: number };

export class AlgoWalk {
  readonly effects: Effect[] = [];
  readonly children = new Map<string, ModelChild>();
  /** Sum of fills the actor was sent and had not seen before, for children it knows. */
  acceptedFills: Decimal = ZERO;
  now: number;
  actor: ReturnType<typeof createActor<AnyStateMachine>>;
  submittedAfterEnd = 0;
  private trade = 0;
  private bid = decimal('50000');

  constructor(private readonly options: WalkOptions) {
    this.now = options.startAt;
    this.actor = this.create();
  }

  private create(snapshot?: unknown) {
    return createActor(withRecordedEffects(this.options.machine, this.effects), {
      input: this.options.input,
      ...(snapshot === undefined ? {} : { snapshot }),
      ...(this.options.walked === undefined ? {} : { inspect: recordWalked(this.options.walked) }),
    } as never).start();
  }

  get context(): AlgoContext {
    return (this.actor.getSnapshot() as { context: AlgoContext }).context;
  }

  get state(): string {
    return JSON.stringify(this.actor.getSnapshot().value);
  }

  send(event: AlgoEvent): void {
    const terminal = ['"completed"', '"canceled"', '"expired"', '"failed"'].includes(this.state);
    this.actor.send(event);
    for (const effect of this.effects.splice(0)) {
      if (effect.type === 'submitChild') {
        if (terminal) this.submittedAfterEnd += 1;
        expect(this.children.has(effect.params.childId), `${effect.params.childId} sent twice`).toBe(false);
        this.children.set(effect.params.childId, { submission: effect.params, executed: ZERO, undelivered: [], delivered: [], credited: ZERO, ended: false, cancelAsked: false });
      } else if (effect.type === 'cancelChild') {
        const child = this.children.get(effect.params.childId);
        expect(child, `cancel of unknown ${effect.params.childId}`).toBeDefined();
        child!.cancelAsked = true;
      }
    }
  }

  private deliver(child: ModelChild, fill: { tradeId: string; quantity: string; price: string }): void {
    const before = decimal(this.context.ledger.filledQuantity);
    this.send({ type: 'child.filled', at: this.now, childId: child.submission.childId, ...fill });
    const accepted = decimal(this.context.ledger.filledQuantity).minus(before);
    this.acceptedFills = this.acceptedFills.plus(accepted);
    child.credited = child.credited.plus(accepted);
  }

  /** One step of the world; `size` picks which child, quantities and prices. Returns false when it did not apply. */
  step({ action, size }: Step): boolean {
    const children = [...this.children.values()];
    const open = children.filter((child) => !child.ended);
    const pick = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[size % list.length]);
    switch (action) {
      case 'executeAll':
      case 'executePart': {
        // The venue executes part or all of a working child's rest; the report may travel a while.
        const child = pick(open.filter((c) => decimal(c.submission.quantity).gt(c.executed)));
        if (!child) return false;
        const left = decimal(child.submission.quantity).minus(child.executed);
        const lots = Number(left.div(this.lot).round(0, 0).toFixed());
        const quantity = action === 'executeAll' ? left : this.lot.times(decimal(1 + (size % lots)));
        child.executed = child.executed.plus(quantity);
        this.trade += 1;
        child.undelivered.push({ tradeId: `T${this.trade}`, quantity: quantity.toFixed(), price: this.bid.toFixed() });
        return true;
      }
      case 'deliver': {
        const child = pick(children.filter((c) => c.undelivered.length > 0));
        if (!child) return false;
        const fill = child.undelivered.shift()!;
        child.delivered.push(fill);
        this.deliver(child, fill);
        // A child filled in full ends as filled once its fills are in (at once, or in a later report).
        if (size % 2 === 0 && !child.ended && child.executed.eq(child.submission.quantity) && child.undelivered.length === 0) this.end(child, 'filled');
        return true;
      }
      case 'end': {
        // The venue ends a child (a cancel asked for, or its own: IOC rest, expiry) with what it knows.
        const child = pick(open);
        if (!child) return false;
        this.end(child, child.cancelAsked ? 'canceled' : size % 2 === 0 ? 'canceled' : 'expired');
        return true;
      }
      case 'reject': {
        const child = pick(open.filter((c) => c.executed.eq(ZERO)));
        if (!child) return false;
        // Some denials are the trading state's (halted, or reducing): the algo pauses instead of counting them.
        this.end(child, size % 2 === 0 ? 'rejected' : 'denied', size % 7 === 0 ? (size % 4 === 1 ? 'halt' : 'reducing') : undefined);
        return true;
      }
      case 'duplicate': {
        const child = pick(children.filter((c) => c.delivered.length > 0));
        if (!child) return false;
        this.deliver(child, child.delivered[size % child.delivered.length]!);
        return true;
      }
      case 'bogus': {
        // A fill no venue should send: past what the child holds, or for a child that is not ours.
        const child = pick(children);
        const childId = child && size % 3 !== 0 ? child.submission.childId : 'someone-else-E1';
        const quantity = child ? decimal(child.submission.quantity).plus(this.lot).toFixed() : '1';
        this.trade += 1;
        const before = this.context.ledger.filledQuantity;
        this.send({ type: 'child.filled', at: this.now, childId, tradeId: `X${this.trade}`, quantity, price: this.bid.toFixed() });
        expect(this.context.ledger.filledQuantity, 'a bogus fill was accepted').toBe(before);
        return true;
      }
      case 'market': {
        this.bid = this.bid.plus(decimal(size % 7).minus('3').times('0.1'));
        this.now += 1_000;
        this.send({ type: 'market', at: this.now, bestBid: this.bid.toFixed(), bestAsk: this.bid.plus('0.1').toFixed(), volume: this.lot.times(decimal(size % 500)).toFixed() });
        return true;
      }
      case 'timer': {
        const wake = this.context.nextWakeAt;
        this.now = Math.max(this.now, wake ?? this.now) + (size % 3) * 1_000;
        this.send({ type: 'timer.due', at: this.now });
        return true;
      }
      case 'pause':
      case 'resume':
        this.send({ type: action, at: this.now });
        return true;
      // The portfolio halts trading, or resumes it.
      case 'halt':
        this.send({ type: 'trading.halted', at: this.now });
        return true;
      case 'tradingResumed':
        this.send({ type: 'trading.resumed', at: this.now });
        return true;
      case 'amend': {
        const filled = decimal(this.context.ledger.filledQuantity);
        const options = [this.context.quantity, filled.plus(this.lot).toFixed(), decimal(this.context.quantity).plus('0.005').toFixed(), filled.minus(this.lot).toFixed(), '0.0005'];
        const quantity = options[size % options.length]!;
        this.send(size % 3 === 0 ? { type: 'amend', at: this.now, limitPrice: this.bid.minus(decimal(size % 5).times('0.1')).toFixed() } : { type: 'amend', at: this.now, quantity });
        return true;
      }
      case 'cancel':
        this.send({ type: 'cancel', at: this.now });
        return true;
      case 'restart': {
        // The process dies; the actor comes back from its last persisted snapshot, as JSON.
        const persisted = JSON.parse(JSON.stringify(this.actor.getPersistedSnapshot()));
        this.actor.stop();
        this.actor = this.create(persisted);
        return true;
      }
      case 'start':
        // Some start while trading is halted.
        this.send({ type: 'start', at: this.now, halted: size % 4 === 0 });
        return true;
    }
  }

  private end(child: ModelChild, status: 'filled' | 'canceled' | 'expired' | 'rejected' | 'denied', deniedBy?: 'halt' | 'reducing'): void {
    child.ended = true;
    const denial = status === 'denied' && deniedBy !== undefined ? { deniedBy } : {};
    const working = this.state.includes('working');
    this.send({ type: 'child.ended', at: this.now, childId: child.submission.childId, status, remaining: decimal(child.submission.quantity).minus(child.executed).toFixed(), ...denial });
    if (working && 'deniedBy' in denial) {
      // Denied by the trading state: paused by it, and not counted as a failure.
      expect(this.state, 'a trading denial pauses a working algo').toMatch(/paused|completed/);
      if (this.state === '"paused"') expect(this.context.pausedBy).toBe(deniedBy);
    }
  }

  private get lot(): Decimal {
    return decimal(this.context.grid.lotSize);
  }

  /** The invariants every step must keep. */
  checkInvariants(where: string): void {
    const context = this.context;
    const filled = decimal(context.ledger.filledQuantity);
    // The parent's filled quantity is the exact sum of its children's fills, and of the fills it accepted.
    let sum = ZERO;
    let committed = ZERO;
    for (const child of this.children.values()) {
      sum = sum.plus(child.credited);
      // A child never has more accepted than the venue executed for it.
      expect(child.credited.lte(child.executed), `${where}: ${child.submission.childId}`).toBe(true);
    }
    for (const id of context.ledger.openIds) {
      const child = context.ledger.children[id]!;
      committed = committed.plus(committedQuantity(child));
      expect(child.filledQuantity, `${where}: ${id}`).toBe(this.children.get(id)!.credited.toFixed());
      // Only children that may still fill are kept whole.
      expect(child.status === 'working' || outstandingQuantity(child).gt(ZERO), `${where}: ${id} open`).toBe(true);
    }
    expect(Object.keys(context.ledger.children).sort(), where).toEqual([...context.ledger.openIds].sort());
    // Every child sent is open or settled.
    expect(context.ledger.openIds.length + context.ledger.settledCount, where).toBe(this.children.size);
    expect(sum.toFixed(), where).toBe(filled.toFixed());
    expect(filled.toFixed(), where).toBe(this.acceptedFills.toFixed());
    // Never more than the parent's quantity, filled or committed at the venue.
    expect(filled.lte(context.quantity), `${where}: filled ${filled.toFixed()} > ${context.quantity}`).toBe(true);
    expect(committed.lte(context.quantity), `${where}: committed ${committed.toFixed()} > ${context.quantity}`).toBe(true);
    // What the venue executed in all never passes the parent's quantity: late fills cannot over-execute.
    let executed = ZERO;
    for (const child of this.children.values()) executed = executed.plus(child.executed);
    expect(executed.lte(context.quantity), `${where}: venue executed ${executed.toFixed()}`).toBe(true);
    for (const child of this.children.values()) {
      const quantity = decimal(child.submission.quantity);
      expect(quantity.gte(context.grid.minQuantity) && quantity.mod(context.grid.lotSize).eq(ZERO), `${where}: ${child.submission.childId} ${quantity.toFixed()}`).toBe(true);
    }
    expect(this.submittedAfterEnd, `${where}: a child was sent after the algo ended`).toBe(0);
    this.options.check?.(context, this);
  }
}
