// The engine's execution algorithms and order lists ("parents"), one actor each by id: their effects (child
// orders) run on the turn queue after the transition, a timer is armed at context.nextWakeAt, market data for
// their symbol reaches them, child fills and ends are fed back, and after a restart they come back from their
// snapshots and resume where they stood (schedules are absolute clock times in context).
import { createActor, type Actor, type AnyActorRef, type AnyStateMachine } from 'xstate';
import type { Logger } from 'pino';
import type { AlgoEvent, AmendChildParams, ChildEndStatus, ChildSubmission, OrderListEvent, TradingDenial } from '../../../machines/algos/algo-contract.ts';
import type { AlgoContext, AlgoMachineInput } from '../../../machines/algos/algo-setup.ts';
import { chaseMachine } from '../../../machines/algos/chase.ts';
import { icebergMachine } from '../../../machines/algos/iceberg.ts';
import { povMachine } from '../../../machines/algos/pov.ts';
import { twapMachine } from '../../../machines/algos/twap.ts';
import { vwapMachine } from '../../../machines/algos/vwap.ts';
import { orderListMachine, type OrderListContext, type OrderListMachineInput } from '../../../machines/order-list.ts';
import type { AlgoKind } from '../../domain/algo-params.ts';
import type { Clock } from '../../domain/clock.ts';
import type { DecimalString } from '../../domain/decimal.ts';
import type { DomainEventDraft } from '../../domain/events.ts';
import type { MarketData } from '../../domain/market-data.ts';
import type { SnapshotRecord } from '../../store/records.ts';
import type { DenialReason } from '../../risk/checks.ts';
import type { SnapshotWriter } from '../persistence.ts';
import type { TurnQueue } from '../turn.ts';
import { ParentTimers, type TimedEntry } from './parent-timers.ts';
import { algoView, isFinishedParentState, orderListView, type AlgoView, type ChildLookup, type OrderListView } from './parent-view.ts';

export type ParentKind = 'algo' | 'orderList';
type ParentActor = Actor<AnyStateMachine>;

const ALGO_MACHINES: Readonly<Record<AlgoKind, AnyStateMachine>> = { twap: twapMachine, vwap: vwapMachine, pov: povMachine, iceberg: icebergMachine, chase: chaseMachine };

/** Finished parents kept in memory for views; older ones leave (their snapshots stay in the store). */
export const FINISHED_PARENTS_KEPT = 1_000;

export interface ParentEntry extends TimedEntry {
  readonly id: string;
  readonly kind: ParentKind;
  readonly venue: string;
  readonly symbol: string;
  actor: ParentActor;
}

/** What a child's end looked like to the engine: the venue's unexecuted rest and why it ended. */
export interface ChildOutcome {
  readonly remaining: DecimalString;
  readonly reason?: string;
}

export interface ParentBookHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly queue: TurnQueue;
  readonly snapshots: SnapshotWriter | undefined;
  portfolio(): AnyActorRef;
  publish(draft: DomainEventDraft): void;
  /** Places a child through the risk gate; throws when it is refused before the gate (nothing sent). */
  /** Places a child through the risk gate; returns the gate's denial reason when it was denied. */
  submitChild(venue: string, submission: ChildSubmission): DenialReason | undefined;
  /** Every leg of a venue list was submitted (or refused): a list the venue did not get whole is not sent. */
  closeVenueList(venue: string, listId: string): void;
  cancelChild(childId: string): void;
  /** Throws when the amendment cannot be asked (the list then replaces the child). */
  amendChild(params: AmendChildParams): void;
  /**
   * Whether a child can take an amendment: `now`, `later` (a request of its own is in flight: not yet
   * acknowledged, or an amend or cancel pending), or `never` (finished or unknown).
   */
  amendable(childId: string): 'now' | 'later' | 'never';
  /** The child order's quantity never executed, as the venue reported its fills; undefined if unknown. */
  childOutcome(childId: string): ChildOutcome | undefined;
  orderStatus(childId: string): string | undefined;
  /** True when a parent id (or a child id derived from it) was ever used: in the store's snapshots or orders. */
  idUsed(id: string): boolean;
}

interface Book {
  bestBid?: DecimalString;
  bestAsk?: DecimalString;
}

export class ParentBook {
  private readonly parents = new Map<string, ParentEntry>();
  /** Working child -> its parent: ids are data, the parent is never parsed out of a child's id. */
  private readonly childParents = new Map<string, string>();
  /** Live algos per `venue symbol`, for market data. */
  private readonly byMarket = new Map<string, Set<ParentEntry>>();
  private readonly books = new Map<string, Book>();
  /** The latest amendment asked of a child whose own request was in flight: asked once that resolves. */
  private readonly pendingAmendments = new Map<string, AmendChildParams>();
  /** Finished parents still in memory, oldest first. */
  private readonly finished = new Set<string>();
  private readonly algoLogic: Record<AlgoKind, AnyStateMachine>;
  private readonly listLogic: AnyStateMachine;
  /** The portfolio's trading state at the last look, and the watch on it (from rearm on). */
  private tradingState: unknown;
  private tradingWatch?: { unsubscribe(): void };
  private generated = 0;
  private readonly lookup: ChildLookup;
  /** Children the trading state denied, until their end reaches the parent (which pauses rather than fails). */
  private readonly tradingDenials = new Map<string, TradingDenial>();
  private readonly timers: ParentTimers<ParentEntry>;

  constructor(
    private readonly host: ParentBookHost,
    private readonly idPrefix: string,
  ) {
    // A timer enters the engine as a turn of its own: the slice it sends runs before it returns.
    this.timers = new ParentTimers<ParentEntry>(host.clock, (entry) => host.queue.run(() => this.deliver(entry, { type: 'timer.due', at: host.clock.now() })));
    const effects = {
      // Effects are deferred: they run after the parent's transition, never inside it.
      submitChild: (_: unknown, params: ChildSubmission) => {
        this.childParents.set(params.childId, params.parentId);
        host.queue.defer(() => this.sendChild(params));
      },
      cancelChild: (_: unknown, params: { childId: string }) => host.queue.defer(() => host.cancelChild(params.childId)),
      amendChild: (_: unknown, params: AmendChildParams) => host.queue.defer(() => this.amendChild(params)),
    };
    this.algoLogic = Object.fromEntries(Object.entries(ALGO_MACHINES).map(([kind, machine]) => [kind, machine.provide({ actions: effects } as never)])) as Record<AlgoKind, AnyStateMachine>;
    this.listLogic = orderListMachine.provide({ actions: effects } as never);
    this.lookup = { orderStatus: (childId) => host.orderStatus(childId) };
  }

  get size(): number {
    return this.parents.size;
  }

  get(id: string): ParentEntry | undefined {
    return this.parents.get(id);
  }

  /** The algorithm or order list a working child order belongs to; undefined for any other order. */
  parentOf(childId: string): { readonly id: string; readonly kind: ParentKind } | undefined {
    const parentId = this.childParents.get(childId);
    const entry = parentId === undefined ? undefined : this.parents.get(parentId);
    return entry === undefined ? undefined : { id: entry.id, kind: entry.kind };
  }

  /** A new engine id for an algo (`a`) or order list (`l`), in the engine's namespace. */
  nextId(kind: ParentKind): string {
    let id: string;
    do id = `${this.idPrefix}-${kind === 'algo' ? 'a' : 'l'}${++this.generated}`;
    while (this.parents.has(id) || this.host.idUsed(id));
    return id;
  }

  /** Starts a new algorithm with the last book of its symbol in context (its first slice sees the market). */
  createAlgo(venue: string, algoInput: AlgoMachineInput): ParentEntry {
    const book = this.books.get(marketKey(venue, algoInput.spec.symbol));
    const input: AlgoMachineInput = book === undefined ? algoInput : Object.assign({}, algoInput, { book });
    const entry = this.adopt('algo', venue, input.spec.symbol, input.spec.parentId, (id) => createActor(this.algoLogic[input.spec.params.kind], { id, input, parent: this.host.portfolio(), clock: this.host.clock }), false);
    // Under a halt its children would only be denied: it starts paused by the halt, and goes when trading resumes.
    this.deliver(entry, { type: 'start', at: this.host.clock.now(), halted: this.isTradingHalted() });
    return entry;
  }

  /** True while the portfolio's kill switch (or a loss limit) halts trading. */
  isTradingHalted(): boolean {
    return this.host.portfolio().getSnapshot().value === 'halted';
  }

  createOrderList(venue: string, input: OrderListMachineInput): ParentEntry {
    const entry = this.adopt('orderList', venue, input.spec.symbol, input.spec.listId, (id) => createActor(this.listLogic, { id, input, parent: this.host.portfolio(), clock: this.host.clock }), false);
    this.deliver(entry, { type: 'start', at: this.host.clock.now() });
    return entry;
  }

  /** Restart: every algo and order list back from its snapshot; no entry action runs again, nothing is re-sent. */
  restore(records: readonly SnapshotRecord[], defaultVenue: string): number {
    let restored = 0;
    for (const record of records) {
      const saved = record.snapshot as { value: unknown; context: AlgoContext | OrderListContext };
      const kind: ParentKind = record.machineId === 'orderList' ? 'orderList' : 'algo';
      const spec = saved.context.spec;
      const id = 'listId' in spec ? spec.listId : spec.parentId;
      const logic = 'listId' in spec ? this.listLogic : this.algoLogic[spec.params.kind];
      const entry = this.adopt(kind, spec.venue ?? defaultVenue, spec.symbol, id, (actorId) => createActor(logic, { id: actorId, snapshot: record.snapshot as never, parent: this.host.portfolio(), clock: this.host.clock }), true);
      for (const childId of entry.actor.getSnapshot().context.ledger.openIds as string[]) {
        const child = entry.actor.getSnapshot().context.ledger.children[childId] as { status: string };
        if (child.status === 'working') this.childParents.set(childId, id);
      }
      restored++;
    }
    return restored;
  }

  /** Timers are armed from here on (after start-up): each parent's next wake, a passed one at once. */
  rearm(): void {
    this.timers.arm();
    for (const entry of this.parents.values()) this.armTimer(entry);
    this.watchTrading();
  }

  stop(): void {
    this.tradingWatch?.unsubscribe();
    this.tradingWatch = undefined;
    this.timers.disarm(this.parents.values());
  }

  /** Market data of a venue: the book per symbol is kept, and the algos trading it get a market event. */
  marketData(venueId: string, data: MarketData): void {
    const key = marketKey(venueId, data.symbol);
    let event: { type: 'market'; at: number; bestBid?: DecimalString; bestAsk?: DecimalString; volume?: DecimalString } | undefined;
    if (data.type === 'quote') {
      const book = { bestBid: data.bids[0]?.price.toFixed(), bestAsk: data.asks[0]?.price.toFixed() };
      this.books.set(key, book);
      event = { type: 'market', at: this.host.clock.now(), bestBid: book.bestBid, bestAsk: book.bestAsk };
    } else if (data.type === 'trade') {
      event = { type: 'market', at: this.host.clock.now(), volume: data.quantity.toFixed() };
    } else {
      event = { type: 'market', at: this.host.clock.now(), volume: data.volume.toFixed() };
    }
    const entries = this.byMarket.get(key);
    if (entries === undefined) return;
    for (const entry of [...entries]) this.deliver(entry, event);
  }

  // ---- Children's reports, from the domain events of their orders ----

  childFilled(parentId: string, fill: { childId: string; tradeId: string; quantity: DecimalString; price: DecimalString }): void {
    const entry = this.parents.get(parentId);
    if (entry === undefined) return;
    this.deliver(entry, Object.assign({ type: 'child.filled' as const, at: this.host.clock.now() }, fill));
  }

  childEnded(childId: string, status: ChildEndStatus): void {
    const parentId = this.childParents.get(childId);
    if (parentId === undefined) return;
    const entry = this.parents.get(parentId);
    this.childParents.delete(childId);
    this.pendingAmendments.delete(childId);
    const deniedBy = this.tradingDenials.get(childId);
    this.tradingDenials.delete(childId);
    if (entry === undefined) return;
    const outcome = this.host.childOutcome(childId);
    if (outcome === undefined) {
      this.host.logger.error({ childId, parentId }, `child ${childId} of ${parentId} ended ${status} but its order is unknown: its parent cannot count what it left`);
      return;
    }
    const remaining = status === 'filled' ? '0' : outcome.remaining;
    const denial = status === 'denied' && deniedBy !== undefined ? { deniedBy } : {};
    this.deliver(entry, Object.assign({ type: 'child.ended' as const, at: this.host.clock.now(), childId, status, remaining, reason: outcome.reason }, denial));
  }

  childAmended(childId: string, quantity: DecimalString): void {
    const entry = this.listOf(childId);
    if (entry !== undefined) this.deliver(entry, { type: 'child.amended', at: this.host.clock.now(), childId, quantity });
    this.childSettledRequest(childId);
  }

  /** A child's own request resolved (acknowledged, amended, an amend or cancel refused): a waiting amendment goes. */
  childSettledRequest(childId: string): void {
    const pending = this.pendingAmendments.get(childId);
    if (pending === undefined) return;
    this.host.queue.defer(() => {
      if (this.pendingAmendments.get(childId) === pending) this.amendChild(pending);
    });
  }

  childAmendRejected(childId: string, reason: string): void {
    const entry = this.listOf(childId);
    if (entry !== undefined) this.deliver(entry, { type: 'child.amendRejected', at: this.host.clock.now(), childId, reason });
    this.childSettledRequest(childId);
  }

  /** Sends a command event (pause, resume, amend, cancel) to a parent, as one step of its chart. */
  send(entry: ParentEntry, event: AlgoEvent | OrderListEvent): void {
    this.deliver(entry, event);
  }

  // ---- Views ----

  algoView(entry: ParentEntry): AlgoView {
    const snapshot = entry.actor.getSnapshot();
    return algoView(entry.venue, snapshot.value, snapshot.context as AlgoContext, this.lookup);
  }

  orderListView(entry: ParentEntry): OrderListView {
    const snapshot = entry.actor.getSnapshot();
    return orderListView(entry.venue, snapshot.value, snapshot.context as OrderListContext, this.lookup);
  }

  entries(kind: ParentKind): ParentEntry[] {
    return [...this.parents.values()].filter((entry) => entry.kind === kind);
  }

  /** True for a parent whose reduce-only children protect what it bought (a bracket's exits, an OTO's legs). */
  holdsProtection(parentId: string): boolean {
    return this.parents.get(parentId)?.kind === 'orderList';
  }

  isFinished(entry: ParentEntry): boolean {
    return isFinishedParentState(entry.actor.getSnapshot().value);
  }

  // ---- Internals ----

  /**
   * A trading halt pauses the working algorithms (their children would only be denied, and five denials in a
   * row fail an algo); each change to a state that is not halted resumes the ones the trading state paused
   * (one still denied, reducing, pauses again). Checked once now, for algos restored paused by a halt that is
   * over, or working into one that is not.
   */
  private watchTrading(): void {
    if (this.tradingWatch !== undefined) return;
    this.tradingState = this.host.portfolio().getSnapshot().value;
    this.tellAlgosTradingState();
    this.tradingWatch = this.host.portfolio().subscribe((snapshot: { value: unknown }) => {
      if (snapshot.value === this.tradingState) return;
      this.tradingState = snapshot.value;
      this.host.queue.defer(() => this.tellAlgosTradingState());
    });
  }

  private tellAlgosTradingState(): void {
    const at = this.host.clock.now();
    const event = this.tradingState === 'halted' ? { type: 'trading.halted' as const, at } : { type: 'trading.resumed' as const, at };
    for (const entry of this.parents.values()) {
      if (entry.kind === 'algo' && entry.actor.getSnapshot().can(event)) this.deliver(entry, event);
    }
  }

  private listOf(childId: string): ParentEntry | undefined {
    const parentId = this.childParents.get(childId);
    const entry = parentId === undefined ? undefined : this.parents.get(parentId);
    return entry?.kind === 'orderList' ? entry : undefined;
  }

  private sendChild(submission: ChildSubmission): void {
    const entry = this.parents.get(submission.parentId);
    // A child its parent does not know was asked for by a transition that threw: it is not sent.
    if (entry === undefined || entry.actor.getSnapshot().context.ledger.children[submission.childId] === undefined) {
      this.childParents.delete(submission.childId);
      return;
    }
    try {
      const denied = this.host.submitChild(entry.venue, submission);
      const by = denied === 'tradingHalted' ? 'halt' : denied === 'reducingOnly' ? 'reducing' : undefined;
      if (by !== undefined) this.tradingDenials.set(submission.childId, by);
    } catch (error) {
      // Refused before the risk gate (venue down, no market price, below the minimum notional): nothing was
      // sent, so all of it goes back to the parent, which counts it as a failure.
      this.childParents.delete(submission.childId);
      const reason = (error as Error).message;
      this.host.logger.warn({ childId: submission.childId, parentId: submission.parentId, reason }, `child ${submission.childId} was refused: ${reason}`);
      this.host.queue.defer(() => this.deliver(entry, { type: 'child.ended', at: this.host.clock.now(), childId: submission.childId, status: 'rejected', remaining: submission.quantity, reason }));
    }
    const list = submission.venueList;
    // After the last leg's own sends (deferred before this): the list leaves whole, or not at all.
    if (list !== undefined && list.legIds.at(-1) === submission.childId) this.host.queue.defer(() => this.host.closeVenueList(entry.venue, list.listId));
  }

  private amendChild(params: AmendChildParams): void {
    // A child not yet acknowledged (or with a request in flight) cannot be amended yet: the amendment waits
    // for it rather than being taken as refused (a refusal replaces the child, and a fresh replacement is
    // again in flight: racing fills would then churn children without end).
    const amendable = this.host.amendable(params.childId);
    if (amendable === 'later') {
      this.pendingAmendments.set(params.childId, params);
      return;
    }
    this.pendingAmendments.delete(params.childId);
    try {
      this.host.amendChild(params);
    } catch (error) {
      const reason = (error as Error).message;
      this.host.queue.defer(() => this.childAmendRejected(params.childId, reason));
    }
  }

  private deliver(entry: ParentEntry, event: AlgoEvent | OrderListEvent): void {
    if (entry.actor.getSnapshot().status !== 'active') return;
    entry.actor.send(event);
  }

  private adopt(kind: ParentKind, venue: string, symbol: string, id: string, make: (actorId: string) => ParentActor, restored: boolean): ParentEntry {
    const entry: ParentEntry = { id, kind, venue, symbol, actor: make(`algo:${id}`) };
    this.parents.set(id, entry);
    this.run(entry, restored);
    return entry;
  }

  /** Wires a parent's actor (its events, snapshots, timer) and starts it. */
  private run(entry: ParentEntry, restored: boolean): void {
    const actor = entry.actor;
    actor.on('*', (event) => this.host.publish(event as DomainEventDraft));
    this.host.snapshots?.track(actor.id, entry.kind, actor, undefined, restored);
    actor.subscribe({ next: () => this.afterTransition(entry), error: () => {} });
    actor.start();
    this.afterTransition(entry);
  }

  /**
   * Supervision: a parent whose transition threw goes on from the snapshot it had before that event (XState
   * keeps it); what the failed transition asked for is not sent (sendChild checks the parent knows the child).
   * Returns the state it was restored to, or undefined when the actor is not a parent's.
   */
  restoreAfterFault(actorId: string): string | undefined {
    const entry = [...this.parents.values()].find((candidate) => candidate.actor.id === actorId);
    if (entry === undefined) return undefined;
    const snapshot = entry.actor.getSnapshot();
    const context = snapshot.context as AlgoContext | OrderListContext;
    const logic = 'listId' in context.spec ? this.listLogic : this.algoLogic[context.spec.params.kind];
    this.timers.clear(entry);
    entry.actor = createActor(logic, { id: actorId, snapshot: Object.assign({}, snapshot, { status: 'active', error: undefined }) as never, parent: this.host.portfolio(), clock: this.host.clock });
    this.run(entry, false);
    return JSON.stringify(snapshot.value);
  }

  /** After every step: the timer follows nextWakeAt; a finished parent leaves the market index. */
  private afterTransition(entry: ParentEntry): void {
    if (this.parents.get(entry.id) !== entry) return;
    const key = marketKey(entry.venue, entry.symbol);
    if (this.isFinished(entry)) {
      this.timers.clear(entry);
      this.byMarket.get(key)?.delete(entry);
      if (!this.finished.has(entry.id)) this.retire(entry);
      return;
    }
    if (entry.kind === 'algo') {
      let set = this.byMarket.get(key);
      if (set === undefined) this.byMarket.set(key, (set = new Set()));
      set.add(entry);
    }
    this.armTimer(entry);
  }

  private retire(entry: ParentEntry): void {
    this.finished.add(entry.id);
    if (this.finished.size <= FINISHED_PARENTS_KEPT) return;
    const oldestId = this.finished.values().next().value!;
    this.finished.delete(oldestId);
    const oldest = this.parents.get(oldestId);
    if (oldest === undefined) return;
    this.parents.delete(oldest.id);
    this.host.snapshots?.untrack(oldest.actor.id);
    oldest.actor.stop();
  }

  private armTimer(entry: ParentEntry): void {
    const snapshot = entry.actor.getSnapshot();
    // Paused, the schedule's times stay in context but nothing wakes: resume plans from the clock then.
    this.timers.follow(entry, this.isFinished(entry) || snapshot.value === 'paused' ? undefined : (snapshot.context as { nextWakeAt?: number }).nextWakeAt);
  }
}

function marketKey(venue: string, symbol: string): string {
  return `${venue} ${symbol}`;
}
