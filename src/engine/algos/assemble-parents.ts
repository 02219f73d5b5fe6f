// Builds the engine's algorithm and order-list part (the parent book and its commands) from the engine's
// parts: children go through OrderCommands with the parent named as data, and reactions feed them back.
import type { AnyActorRef } from 'xstate';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.ts';
import { decimal } from '../../domain/decimal.ts';
import type { DomainEventDraft } from '../../domain/events.ts';
import type { JournalStore } from '../../store/journal-store.ts';
import { AlgoCommands } from '../commands/algos.ts';
import { OrderListCommands } from '../commands/order-lists.ts';
import type { OrderCommands } from '../commands/orders.ts';
import type { DomainEventBus } from '../event-bus.ts';
import type { SnapshotWriter } from '../persistence.ts';
import type { TurnQueue } from '../turn.ts';
import type { VenueGateway } from '../venue-gateway.ts';
import type { VenueBook } from '../venues.ts';
import type { Views } from '../views.ts';
import { ParentBook } from './parent-book.ts';
import { installParentReactions } from './reactions.ts';

export interface ParentParts {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly queue: TurnQueue;
  readonly store: JournalStore | undefined;
  readonly bus: DomainEventBus;
  readonly venues: VenueBook;
  readonly orderCommands: OrderCommands;
  readonly gateway: VenueGateway;
  readonly views: Views;
  readonly portfolio: AnyActorRef;
}

export interface AssembledParents {
  readonly parents: ParentBook;
  readonly algoCommands: AlgoCommands;
  readonly orderListCommands: OrderListCommands;
}

/** `idPrefix` is the engine's (its namespace included): algos get `{idPrefix}-a{n}`, lists `{idPrefix}-l{n}`. */
export function assembleParents(parts: ParentParts, snapshots: SnapshotWriter | undefined, idPrefix: string): AssembledParents {
  const withoutUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
  const parents = new ParentBook(
    {
      clock: parts.clock,
      logger: parts.logger,
      queue: parts.queue,
      snapshots,
      portfolio: () => parts.portfolio,
      publish: (draft: DomainEventDraft) => parts.bus.publish(draft),
      submitChild: (venue, child) => {
        const request = withoutUndefined({
          clientOrderId: child.childId, venue, symbol: child.symbol, side: child.side, type: child.type, quantity: child.quantity,
          price: child.price, stopPrice: child.stopPrice, timeInForce: child.timeInForce, postOnly: child.postOnly, reduceOnly: child.reduceOnly, parentId: child.parentId,
        });
        parts.orderCommands.submit(request, withoutUndefined({ kind: 'algo' as const, parentId: child.parentId, venueList: child.venueList }));
      },
      closeVenueList: (venue, listId) => parts.gateway.closeList(venue, listId),
      cancelChild: (childId) => parts.orderCommands.cancelIfWorking(childId),
      amendChild: ({ childId, quantity, price }) => {
        const parentId = parts.views.order(childId)?.parentId ?? '';
        parts.orderCommands.amend(childId, withoutUndefined({ quantity, price }), { kind: 'algo', parentId });
      },
      amendable: (childId) => {
        const status = parts.views.order(childId)?.status;
        if (status === undefined || !parts.views.order(childId)!.live) return 'never';
        return status === 'pending' || status === 'submitted' || status === 'pendingUpdate' || status === 'pendingCancel' ? 'later' : 'now';
      },
      childOutcome: (childId) => {
        const view = parts.views.order(childId);
        if (view === undefined) return undefined;
        // The order's filled quantity is what the venue reported executing: the rest never will.
        return { remaining: decimal(view.quantity).minus(view.filledQuantity).toFixed(), reason: view.reason };
      },
      orderStatus: (childId) => parts.views.order(childId)?.status,
      idUsed: (id) => parts.store?.snapshot(`algo:${id}`) !== undefined,
    },
    idPrefix,
  );
  installParentReactions(parts.bus, parents);
  parts.orderCommands.attachParents((orderId) => parents.parentOf(orderId));
  return {
    parents,
    algoCommands: new AlgoCommands({ clock: parts.clock, venues: parts.venues, book: parents }),
    orderListCommands: new OrderListCommands({ clock: parts.clock, venues: parts.venues, book: parents }),
  };
}
