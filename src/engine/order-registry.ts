// Every order actor the engine holds, by clientOrderId (O(1) routing): created, restored from the store,
// replaced after a fault, and let go once finished and past a grace period so memory does not grow with history.
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import type { Logger } from 'pino';
import { orderMachine, TERMINAL_ORDER_STATES, type OrderContext, type OrderMachineInput, type OrderStateName } from '../../machines/order.ts';
import type { Clock } from '../domain/clock.ts';
import { releaseActor } from './actor-release.ts';
import { GracePeriod } from './grace-period.ts';
import type { DomainEventDraft } from '../domain/events.ts';
import type { JournalStore } from '../store/journal-store.ts';
import type { SnapshotRecord } from '../store/records.ts';
import type { SnapshotWriter } from './persistence.ts';
import type { TurnQueue } from './turn.ts';
import type { VenueGateway } from './venue-gateway.ts';
import { orderView, type OrderView } from './order-view.ts';

export type OrderActor = Actor<typeof orderMachine>;

/** How long a finished order stays in memory (clock ms) for late fills and views, by default. */
export const DEFAULT_FINISHED_GRACE_MS = 60_000;
/** How many finished orders' final views are kept after their actors left memory, by default. */
export const DEFAULT_FINISHED_VIEWS_KEPT = 10_000;

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_ORDER_STATES);

export function isTerminal(state: OrderStateName): boolean {
  return TERMINAL.has(state);
}

export interface OrderRegistryOptions {
  readonly queue: TurnQueue;
  readonly gateway: VenueGateway;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: JournalStore | undefined;
  readonly snapshots: SnapshotWriter | undefined;
  readonly portfolio: () => AnyActorRef;
  readonly publish: (draft: DomainEventDraft) => void;
  readonly finishedGraceMs: number;
  readonly finishedViewsKept: number;
}

export class OrderRegistry {
  private readonly orders = new Map<string, OrderActor>();
  /** Actor id -> clientOrderId, for supervision (the portfolio names a failed child by its actor id). */
  private readonly byActorId = new Map<string, string>();
  private readonly gracePeriod: GracePeriod;
  /** The final views of orders that left memory, newest last, at most `finishedViewsKept`. */
  private readonly finishedViews = new Map<string, OrderView>();
  private readonly logic;

  constructor(private readonly options: OrderRegistryOptions) {
    const { queue, gateway } = options;
    this.gracePeriod = new GracePeriod(options.clock, options.finishedGraceMs, (orderId) => this.leave(orderId));
    // A transition's venue commands run after it, in order: the machine never calls the engine itself.
    this.logic = orderMachine.provide({
      actions: {
        submitToVenue: ({ context }) => queue.defer(() => gateway.submit(context)),
        releaseToVenue: ({ context }) => queue.defer(() => gateway.submit(context)),
        cancelAtVenue: ({ context }) => queue.defer(() => gateway.cancel(context)),
        amendAtVenue: ({ context }, amendment) => queue.defer(() => gateway.amend(context, amendment)),
      },
    });
  }

  get size(): number {
    return this.orders.size;
  }

  get(orderId: string): OrderActor | undefined {
    return this.orders.get(orderId);
  }

  orderIdOfActor(actorId: string): string | undefined {
    return this.byActorId.get(actorId);
  }

  has(orderId: string): boolean {
    return this.orders.has(orderId);
  }

  values(): IterableIterator<OrderActor> {
    return this.orders.values();
  }

  entries(): IterableIterator<[string, OrderActor]> {
    return this.orders.entries();
  }

  /** The final view of a finished order that left memory, if it is among the recent ones kept. */
  finishedView(orderId: string): OrderView | undefined {
    return this.finishedViews.get(orderId);
  }

  finishedViewsNewestFirst(): OrderView[] {
    return [...this.finishedViews.values()].reverse();
  }

  /** True when the id was ever used here: in memory, or (with a store) in the journal's orders or intents. */
  known(orderId: string): boolean {
    if (this.orders.has(orderId) || this.finishedViews.has(orderId)) return true;
    const store = this.options.store;
    return store !== undefined && (store.order(orderId) !== undefined || store.intent(orderId) !== undefined);
  }

  /** Starts a new order actor (in `pending`); it announces OrderInitialized. */
  create(input: OrderMachineInput): OrderActor {
    const orderId = input.request.clientOrderId;
    const actor = createActor(this.logic, { parent: this.options.portfolio(), id: `order:${orderId}`, input });
    this.adopt(orderId, actor, { restored: false });
    return actor;
  }

  /**
   * An order the risk gate denied: its actor runs only to announce OrderInitialized and OrderDenied (the audit
   * trail) and is written to the store once; it does not stay in memory, only its final view among the recent.
   */
  recordDenied(input: OrderMachineInput, reason: string): void {
    const orderId = input.request.clientOrderId;
    const actor = createActor(this.logic, { parent: this.options.portfolio(), id: `order:${orderId}`, input });
    actor.on('*', (event) => this.options.publish(event));
    this.options.snapshots?.track(actor.id, 'order', actor);
    actor.start();
    actor.send({ type: 'deny', reason });
    this.options.snapshots?.untrack(actor.id);
    this.keepView(orderId, actor);
    releaseActor(actor);
  }

  /** Restart: a finished order's final view from its saved snapshot, kept among the recent ones (no actor). */
  rememberFinished(record: SnapshotRecord): void {
    const saved = record.snapshot as { value: OrderStateName; context: OrderContext };
    this.finishedViews.delete(saved.context.clientOrderId);
    this.finishedViews.set(saved.context.clientOrderId, orderView(saved.value, saved.context));
    if (this.finishedViews.size > this.options.finishedViewsKept) this.finishedViews.delete(this.finishedViews.keys().next().value!);
  }

  get viewsKept(): number {
    return this.options.finishedViewsKept;
  }

  /** Restores an order from its persisted snapshot: no entry action runs again. */
  restore(record: SnapshotRecord, flags?: string[]): OrderActor {
    const context = (record.snapshot as { context: OrderContext }).context;
    const actor = createActor(this.logic, {
      parent: this.options.portfolio(),
      id: record.actorId,
      snapshot: record.snapshot as never,
      // Ignored when restoring from a snapshot; the type asks for it.
      input: { request: context.request, venue: context.venue, emulated: context.emulated, createdAt: context.createdAt },
    });
    this.adopt(context.clientOrderId, actor, { restored: true, flags });
    if (isTerminal(actor.getSnapshot().value as OrderStateName)) this.finished(context.clientOrderId);
    return actor;
  }

  /**
   * A finished order that already left memory, brought back from the store for a late report (a fill after a
   * cancel). Undefined without a store or when the store does not know it.
   */
  revive(orderId: string): OrderActor | undefined {
    const record = this.options.store?.snapshot(`order:${orderId}`);
    if (record === undefined) return undefined;
    return this.restore(record);
  }

  /**
   * Supervision: an order that threw is replaced by one restored from the snapshot it had before the failing
   * event (XState keeps it on the errored snapshot). Returns the state it was restored to.
   */
  replaceAfterFault(orderId: string): string | undefined {
    const failed = this.orders.get(orderId);
    if (failed === undefined) return undefined;
    const snapshot = failed.getSnapshot();
    const actor = createActor(this.logic, {
      parent: this.options.portfolio(),
      id: failed.id,
      snapshot: { ...snapshot, status: 'active', error: undefined } as typeof snapshot,
      input: { request: snapshot.context.request, venue: snapshot.context.venue, emulated: snapshot.context.emulated, createdAt: snapshot.context.createdAt },
    });
    this.adopt(orderId, actor, { restored: false, flags: [...(this.options.snapshots?.flagsOf(failed.id) ?? [])] });
    return String(snapshot.value);
  }

  /** The order reached a terminal state: it leaves memory after the grace period. */
  finished(orderId: string): void {
    this.gracePeriod.start(orderId);
  }

  stop(): void {
    this.gracePeriod.stop();
  }

  private leave(orderId: string): void {
    const actor = this.orders.get(orderId);
    // Revived or replaced since, or not finished after all: only a finished one goes.
    if (actor === undefined || !isTerminal(actor.getSnapshot().value as OrderStateName)) return;
    this.keepView(orderId, actor);
    this.orders.delete(orderId);
    this.byActorId.delete(actor.id);
    this.options.snapshots?.untrack(actor.id);
    releaseActor(actor);
  }

  private keepView(orderId: string, actor: OrderActor): void {
    const snapshot = actor.getSnapshot();
    this.rememberFinished({ snapshot: { value: snapshot.value, context: snapshot.context } } as SnapshotRecord);
  }

  private adopt(orderId: string, actor: OrderActor, options: { restored: boolean; flags?: string[] }): void {
    this.orders.set(orderId, actor);
    this.byActorId.set(actor.id, orderId);
    this.finishedViews.delete(orderId);
    actor.on('*', (event) => this.options.publish(event));
    this.options.snapshots?.track(actor.id, 'order', actor, options.flags, options.restored);
    actor.start();
  }
}
