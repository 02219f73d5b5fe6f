// The way out to venues: an order's send, amend and cancel, with the outbox. With a store the intent to send
// joins the turn's group commit and every command leaves only once that commit is on disk, in the order decided.
// The legs of a list the venue holds leave together, as one command, or not at all.
import type { Logger } from 'pino';
import type { ExecutionReport, OrderAmendment, VenueOrder } from '../../adapters/venue.ts';
import type { OrderContext } from '../../machines/order.ts';
import type { JournalStore } from '../store/journal-store.ts';
import type { SnapshotWriter } from './persistence.ts';
import type { IntentPayload } from './recovery.ts';
import { toVenueOrder } from './venue-order.ts';
import type { VenueBook } from './venues.ts';

export class VenueGateway {
  /** Venue commands decided this turn, sent in order once the turn's group commit is on disk. */
  private readonly outbox: Array<() => void> = [];
  /** Cancels asked for while a venue's link was down: sent, in order, when it is live again. */
  private readonly heldCancels = new Map<string, Array<() => void>>();
  /** Legs of venue lists gathered this turn, by list id, until the last one arrives. */
  private readonly gatheringLists = new Map<string, Array<{ context: OrderContext; order: VenueOrder }>>();

  constructor(
    private readonly venues: VenueBook,
    private readonly logger: Logger,
    private readonly store: JournalStore | undefined,
    private readonly snapshots: SnapshotWriter | undefined,
    private readonly now: () => number,
    /** Where the gateway reports an order it will not send (a leg of a list that cannot leave whole). */
    private readonly unsent: (report: ExecutionReport) => void,
  ) {
    this.store?.afterCommit(() => this.release());
  }

  submit(context: OrderContext): void {
    const venue = this.venues.venue(context.venue);
    const order = toVenueOrder(context, venue.capabilities);
    const list = context.request.venueList;
    if (list === undefined) {
      if (this.recordIntent(context, order)) this.dispatch(() => venue.submit(order));
      return;
    }
    // A leg waits for its list's other legs: the venue gets the list whole, in one command.
    const legs = this.gatheringLists.get(list.listId) ?? [];
    legs.push({ context, order });
    this.gatheringLists.set(list.listId, legs);
    if (legs.length < list.legIds.length) return;
    this.gatheringLists.delete(list.listId);
    const recorded = legs.filter((leg) => this.recordIntent(leg.context, leg.order));
    if (recorded.length !== legs.length) {
      const reason = `not sent: a leg of list ${list.listId} was already sent once, and a list the venue holds is sent whole or not at all`;
      for (const leg of recorded) this.unsent({ type: 'rejected', venue: venue.id, clientOrderId: leg.order.clientOrderId, timestamp: this.now(), reason });
      return;
    }
    const orders = list.legIds.map((id) => legs.find((leg) => leg.order.clientOrderId === id)!.order);
    this.dispatch(() => venue.submitList!({ listId: list.listId, kind: list.kind, symbol: context.request.symbol, orders }));
  }

  /**
   * Called once every leg of a venue list was submitted or refused by the engine: legs still gathered mean a
   * leg never came (the risk gate denied it). The others are not sent: each is reported rejected, with why.
   */
  closeList(venueId: string, listId: string): void {
    const legs = this.gatheringLists.get(listId);
    if (legs === undefined) return;
    this.gatheringLists.delete(listId);
    const missing = legs[0]!.context.request.venueList!.legIds.filter((id) => !legs.some((leg) => leg.order.clientOrderId === id));
    const reason = `not sent: ${missing.join(', ')} of list ${listId} was refused, and a list the venue holds is sent whole or not at all`;
    this.logger.warn({ listId, missing }, `venue list ${listId} ${reason}`);
    for (const leg of legs) this.unsent({ type: 'rejected', venue: venueId, clientOrderId: leg.order.clientOrderId, timestamp: this.now(), reason });
  }

  /** With a store, the intent joins this turn's commit; false when it is already on record (never sent twice). */
  private recordIntent(context: OrderContext, order: VenueOrder): boolean {
    const orderId = context.clientOrderId;
    if (this.store !== undefined) {
      // The intent joins this turn's commit, and the order leaves only once that commit is on disk.
      const payload: IntentPayload = { request: context.request, emulated: context.emulated, createdAt: context.createdAt, releasedAs: context.releasedAs, sent: order };
      if (!this.store.queueIntent({ clientOrderId: orderId, venue: context.venue, request: payload, createdAt: this.now() })) {
        this.logger.error({ orderId }, `order ${orderId} was already sent once (its intent is on record): not sent again`);
        return false;
      }
      this.snapshots!.intentSent(orderId);
    }
    return true;
  }

  cancel(context: OrderContext): void {
    const venue = this.venues.venue(context.venue);
    const send = () => venue.cancel(context.clientOrderId);
    if (this.venues.linkStatus(venue.id).state !== 'live') {
      // A cancel is never dropped: it waits for the link and goes first when it is back.
      const held = this.heldCancels.get(venue.id) ?? [];
      held.push(send);
      this.heldCancels.set(venue.id, held);
      return;
    }
    this.dispatch(send);
  }

  amend(context: OrderContext, amendment: OrderAmendment): void {
    const venue = this.venues.venue(context.venue);
    this.dispatch(() => venue.amend(context.clientOrderId, amendment));
  }

  /** The venue's link is live again: the cancels held for it leave now. */
  linkLive(venueId: string): void {
    const held = this.heldCancels.get(venueId);
    if (held === undefined) return;
    this.heldCancels.delete(venueId);
    for (const send of held) this.dispatch(send);
  }

  /**
   * With a store, a venue command waits for the group commit of the turn that decided it (the outbox
   * pattern): the intent, the order's events and its snapshot are on disk before the order leaves, so a
   * crash can lose a decision but never an order the venue has. Commands keep their order (submit, then a
   * cancel of the same order). Without a store they go at once.
   */
  private dispatch(command: () => void): void {
    if (this.store === undefined) {
      this.run(command);
      return;
    }
    this.outbox.push(command);
    this.store.schedule();
  }

  private release(): void {
    for (const command of this.outbox.splice(0)) this.run(command);
  }

  private run(command: () => void): void {
    try {
      command();
    } catch (error) {
      // The order stays where it is (submitted, pendingCancel ...) until the venue or reconciliation says.
      this.logger.error({ err: error }, `a venue command failed: ${(error as Error).message}`);
    }
  }
}
