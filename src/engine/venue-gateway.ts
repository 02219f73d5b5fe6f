// The way out to venues: an order's send, amend and cancel, with the outbox. With a store the intent to send
// joins the turn's group commit and every command leaves only once that commit is on disk, in the order decided.
import type { Logger } from 'pino';
import type { OrderAmendment } from '../../adapters/venue.ts';
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

  constructor(
    private readonly venues: VenueBook,
    private readonly logger: Logger,
    private readonly store: JournalStore | undefined,
    private readonly snapshots: SnapshotWriter | undefined,
    private readonly now: () => number,
  ) {
    this.store?.afterCommit(() => this.release());
  }

  submit(context: OrderContext): void {
    const orderId = context.clientOrderId;
    const venue = this.venues.venue(context.venue);
    const order = toVenueOrder(context, venue.capabilities);
    if (this.store !== undefined) {
      // The intent joins this turn's commit, and the order leaves only once that commit is on disk.
      const payload: IntentPayload = { request: context.request, emulated: context.emulated, createdAt: context.createdAt, releasedAs: context.releasedAs, sent: order };
      if (!this.store.queueIntent({ clientOrderId: orderId, venue: venue.id, request: payload, createdAt: this.now() })) {
        this.logger.error({ orderId }, `order ${orderId} was already sent once (its intent is on record): not sent again`);
        return;
      }
      this.snapshots!.intentSent(orderId);
    }
    this.dispatch(() => venue.submit(order));
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
