// Reconciliation with a venue at start: the venue is asked what became of every order we may have sent, and
// its answers are applied as the execution reports we missed. Start-up and crash recovery are this one path.
import type { Logger } from 'pino';
import type { ExecutionReport, Venue, VenueOrderStatus } from '../../adapters/venue.ts';
import type { OrderContext, OrderStateName } from '../../machines/order.ts';
import { decimal } from '../domain/decimal.ts';
import { parseOrderRequest, type OrderRequest } from '../domain/order-request.ts';
import type { IntentRecord } from '../store/records.ts';

/** Recovery marks written on an order's row (orders.flags) and reported. */
export type RecoveryFlag = 'adopted' | 'unknownAtVenue' | 'missingAtVenue' | 'fillsMissing';

/** What the intent records besides the order as sent: enough to rebuild the order when its snapshot is older. */
export interface IntentPayload {
  readonly request: OrderRequest & { readonly clientOrderId: string };
  readonly emulated: boolean;
  readonly createdAt: number;
  readonly releasedAs?: string;
  readonly sent: unknown;
}

export interface ReconciliationReport {
  readonly venue: string;
  /** Orders asked about by clientOrderId. */
  readonly checked: number;
  /** Found at the venue but not here (open there, or sent just before a crash): adopted and flagged. */
  readonly adopted: string[];
  /** Sent (the intent was committed) but unknown to the venue: marked canceled with a reason, never resent. */
  readonly unknownAtVenue: string[];
  /** Fills the venue has that we had not applied (missed while down): applied once each. */
  readonly fillsApplied: number;
  /** Orders whose state the venue's answer changed (accepted, canceled, expired, filled while down). */
  readonly updated: string[];
  /** What could not be repaired: logged and listed for a human. */
  readonly discrepancies: string[];
}

/** What reconciliation needs from the engine. Everything it changes goes through routed execution reports. */
export interface ReconciliationHost {
  readonly logger: Logger;
  now(): number;
  /** The order's state and context, or undefined when the engine does not know it. */
  order(orderId: string): { state: OrderStateName; context: OrderContext } | undefined;
  /** Orders of this venue that are working or awaiting the venue's answer. */
  liveOrders(venueId: string): string[];
  /** Routes a report exactly as if the venue had sent it now. */
  route(report: ExecutionReport): void;
  /**
   * Brings an order to `submitted` (or `triggered`) without sending it: from its intent when the engine's
   * last commit predates the send, or from the venue's status for an order unknown here.
   */
  adopt(request: OrderRequest & { readonly clientOrderId: string }, venueId: string, options: { emulated: boolean; createdAt: number }): void;
  flag(orderId: string, flag: RecoveryFlag): void;
  resolveIntent(orderId: string, status: 'acknowledged' | 'adopted' | 'unknownAtVenue', note?: string): void;
}

const QUERY_BATCH = 64;
const AT_VENUE: readonly OrderStateName[] = ['submitted', 'triggered', 'open', 'partial', 'pendingCancel', 'pendingUpdate'];

export const NEVER_REACHED_VENUE = 'never reached the venue: not found there by clientOrderId after a restart; not resent';

/**
 * Reconciles one venue:
 * 1. intents committed but never acknowledged whose order our last commit does not show as sent: the venue
 *    is asked; found -> the order is rebuilt from the intent and takes the venue's state; not found -> marked;
 * 2. every order we hold as at the venue: its status and fills are fetched and the difference applied;
 * 3. the venue's open orders we do not know: adopted and flagged.
 */
export async function reconcileVenue(host: ReconciliationHost, venue: Venue, intents: readonly IntentRecord[]): Promise<ReconciliationReport> {
  const report = { venue: venue.id, checked: 0, adopted: [] as string[], unknownAtVenue: [] as string[], fillsApplied: 0, updated: [] as string[], discrepancies: [] as string[] };
  const handled = new Set<string>();
  // One query answers for every order still working there; only the others are asked about one by one.
  const openAtVenue = new Map((await venue.openOrders()).map((status) => [status.clientOrderId, status]));
  const statusOf = (orderId: string) => (openAtVenue.has(orderId) ? Promise.resolve(openAtVenue.get(orderId)) : venue.queryOrder(orderId));

  for (const intent of intents) {
    if (intent.venue !== venue.id || intent.status !== 'sent') continue;
    const orderId = intent.clientOrderId;
    const local = host.order(orderId);
    if (local !== undefined && local.state !== 'pending' && local.state !== 'emulated') continue;
    handled.add(orderId);
    report.checked++;
    const payload = intent.request as IntentPayload;
    const status = await statusOf(orderId);
    host.adopt(payload.request, venue.id, { emulated: payload.emulated, createdAt: payload.createdAt });
    if (status === undefined) {
      markUnknown(host, orderId, venue.id, report);
      continue;
    }
    host.resolveIntent(orderId, 'adopted', 'sent just before a restart; state taken from the venue');
    await applyStatus(host, venue, orderId, status, report);
  }

  const atVenue = host.liveOrders(venue.id).filter((orderId) => !handled.has(orderId) && AT_VENUE.includes(host.order(orderId)!.state));
  // Asked concurrently, a batch at a time (a remote venue answers each over the network), applied in order.
  const statuses = new Map<string, VenueOrderStatus | undefined>();
  for (let start = 0; start < atVenue.length; start += QUERY_BATCH) {
    const batch = atVenue.slice(start, start + QUERY_BATCH);
    const answers = await Promise.all(batch.map(statusOf));
    batch.forEach((orderId, index) => statuses.set(orderId, answers[index]));
  }
  for (const orderId of atVenue) {
    const local = host.order(orderId)!;
    if (!AT_VENUE.includes(local.state)) continue;
    handled.add(orderId);
    report.checked++;
    const status = statuses.get(orderId);
    if (status === undefined) {
      // Never acknowledged and unknown there (whatever happened here since: a cancel or amend asked before the
      // crash): it never reached the venue, and ends as such instead of waiting for an answer that cannot come.
      if (local.context.venueOrderId === undefined) {
        markUnknown(host, orderId, venue.id, report);
      } else {
        const message = `order ${orderId} was acknowledged by ${venue.id} (${local.context.venueOrderId ?? 'no venue id'}) but the venue no longer knows it`;
        report.discrepancies.push(message);
        host.flag(orderId, 'missingAtVenue');
        host.logger.error({ orderId, venue: venue.id }, message);
      }
      continue;
    }
    await applyStatus(host, venue, orderId, status, report);
  }

  for (const status of openAtVenue.values()) {
    if (handled.has(status.clientOrderId) || host.order(status.clientOrderId) !== undefined) continue;
    handled.add(status.clientOrderId);
    report.checked++;
    let request: OrderRequest & { clientOrderId: string };
    try {
      request = { ...parseOrderRequest(requestInputOf(status)), clientOrderId: status.clientOrderId };
    } catch (error) {
      const message = `open order ${status.clientOrderId} at ${venue.id} is unknown here and cannot be adopted: ${(error as Error).message}`;
      report.discrepancies.push(message);
      host.logger.error({ status }, message);
      continue;
    }
    host.adopt(request, venue.id, { emulated: false, createdAt: host.now() });
    host.flag(status.clientOrderId, 'adopted');
    report.adopted.push(status.clientOrderId);
    host.logger.warn({ orderId: status.clientOrderId, venue: venue.id, status: status.status }, `adopted order ${status.clientOrderId}: open at ${venue.id} but unknown here`);
    await applyStatus(host, venue, status.clientOrderId, status, report);
  }
  return report;
}

/** The venue knows the order: acknowledgement, missed fills and the final state are applied in that order. */
async function applyStatus(host: ReconciliationHost, venue: Venue, orderId: string, status: VenueOrderStatus, report: { fillsApplied: number; updated: string[]; discrepancies: string[] }): Promise<void> {
  const before = host.order(orderId)!;
  const base = { venue: venue.id, clientOrderId: orderId, timestamp: host.now() };
  if (before.context.venueOrderId === undefined && status.status !== 'rejected') {
    host.route({ ...base, type: 'accepted', venueOrderId: status.venueOrderId });
  }
  if (decimal(status.filledQuantity).gt(decimal(host.order(orderId)!.context.filledQuantity))) {
    if (venue.orderFills === undefined) {
      const message = `order ${orderId}: ${venue.id} reports ${status.filledQuantity} filled, we have ${host.order(orderId)!.context.filledQuantity}, and the venue cannot list fills`;
      report.discrepancies.push(message);
      host.flag(orderId, 'fillsMissing');
      host.logger.error({ orderId, venue: venue.id }, message);
    } else {
      for (const fill of await venue.orderFills(orderId)) {
        if (host.order(orderId)!.context.tradeIds.includes(fill.tradeId)) continue;
        host.route({ ...base, timestamp: host.now(), type: 'filled', tradeId: fill.tradeId, quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, liquidity: fill.liquidity });
        report.fillsApplied++;
      }
    }
  }
  const now = host.order(orderId)!;
  if (status.status === 'canceled') host.route({ ...base, type: 'canceled', reason: now.state === 'pendingCancel' ? 'canceled by client' : 'canceled at the venue while the engine was down' });
  else if (status.status === 'expired') host.route({ ...base, type: 'expired' });
  else if (status.status === 'rejected') host.route({ ...base, type: 'rejected', reason: 'rejected by the venue (found on reconciliation)' });
  else if (now.state === 'pendingCancel' && (status.status === 'open' || status.status === 'partial')) {
    // The cancel may have been lost with the crash; asking again is safe (a second cancel is refused, not doubled).
    venue.cancel(orderId);
  } else if (now.state === 'pendingUpdate' && now.context.pendingAmendment !== undefined) {
    const wanted = now.context.pendingAmendment;
    const applied = (wanted.quantity === undefined || wanted.quantity === status.quantity) && (wanted.price === undefined || wanted.price === status.price);
    host.route(applied ? { ...base, type: 'amended', ...wanted } : { ...base, type: 'amendRejected', reason: 'the amendment did not reach the venue before the restart' });
  }
  const after = host.order(orderId)!;
  if (after.state !== before.state || after.context.filledQuantity !== before.context.filledQuantity) report.updated.push(orderId);
}

function markUnknown(host: ReconciliationHost, orderId: string, venueId: string, report: { unknownAtVenue: string[] }): void {
  // Marked canceled (not rejected): if the venue does execute it after all, its fills are still applied.
  host.route({ venue: venueId, clientOrderId: orderId, timestamp: host.now(), type: 'canceled', reason: NEVER_REACHED_VENUE });
  host.flag(orderId, 'unknownAtVenue');
  host.resolveIntent(orderId, 'unknownAtVenue', NEVER_REACHED_VENUE);
  report.unknownAtVenue.push(orderId);
  host.logger.warn({ orderId, venue: venueId }, `order ${orderId} ${NEVER_REACHED_VENUE}`);
}

function requestInputOf(status: VenueOrderStatus): Record<string, unknown> {
  return {
    clientOrderId: status.clientOrderId,
    symbol: status.symbol,
    side: status.side,
    type: status.type,
    quantity: status.quantity,
    ...(status.price !== undefined ? { price: status.price } : {}),
    timeInForce: 'GTC',
  };
}
