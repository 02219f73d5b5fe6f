// An actor's history read back from the engine's journal (eventsSince): for what happened before a page
// attached. Each domain event is shown with the state it implies and the context folded from the events so far.
import type { DomainEvent } from '../domain/events.ts';
import type { Engine } from '../engine/engine.ts';
import { decodeEvent } from './decode.ts';
import type { EntryDetail } from './protocol.ts';

/** The most journal events scanned per request, newest kept: bounds the cost of one click. */
const SCAN_LIMIT = 200_000;
const PAGE = 1000;

const ORDER_STATE_AFTER: Partial<Record<DomainEvent['type'], string>> = {
  OrderInitialized: 'pending',
  OrderDenied: 'denied',
  OrderEmulated: 'emulated',
  OrderSubmitted: 'submitted',
  OrderAccepted: 'open',
  OrderRejected: 'rejected',
  OrderTriggered: 'triggered',
  OrderPendingUpdate: 'pendingUpdate',
  OrderPendingCancel: 'pendingCancel',
  OrderCanceled: 'canceled',
  OrderExpired: 'expired',
  PositionOpened: 'open',
  PositionClosed: 'closed',
};

interface EventLogSource {
  eventsSince?(afterSequence: number, limit?: number): DomainEvent[];
  lastSequence?(): number;
}

export function journalHistory(engine: Engine, actorId: string, limit: number): EntryDetail[] {
  const source = engine as unknown as EventLogSource;
  if (typeof source.eventsSince !== 'function' || typeof source.lastSequence !== 'function') return [];
  const matches = matcherFor(actorId);
  if (matches === undefined) return [];
  const last = source.lastSequence();
  let after = Math.max(0, last - SCAN_LIMIT);
  const found: DomainEvent[] = [];
  for (;;) {
    const page = source.eventsSince(after, PAGE);
    if (page.length === 0) break;
    for (const event of page) if (matches(event)) found.push(event);
    after = page[page.length - 1]!.sequence;
    if (page.length < PAGE || after >= last) break;
  }
  const details: EntryDetail[] = [];
  let state = '';
  let context: Record<string, unknown> = {};
  let stop: string | undefined;
  for (const event of found) {
    state = stateAfter(event, state);
    const decoded = decodeEvent(event as unknown as Record<string, unknown>, stop);
    if ('positionId' in event && 'stopPrice' in event) stop = event.stopPrice;
    const { type: _type, sequence: _sequence, timestamp: _timestamp, ...fields } = event as DomainEvent & Record<string, unknown>;
    context = Object.assign({}, context, fields);
    details.push({
      sequence: 0,
      at: event.timestamp,
      actorId,
      kind: 'emitted',
      eventType: event.type,
      event: event as unknown as Record<string, unknown>,
      domainSequence: event.sequence,
      state,
      snapshot: { value: state, status: 'journal', context },
      source: 'journal',
      ...(decoded === undefined ? {} : { fields: decoded }),
    });
  }
  return details.slice(-limit);
}

function matcherFor(actorId: string): ((event: DomainEvent) => boolean) | undefined {
  if (actorId.startsWith('order:')) {
    const orderId = actorId.slice('order:'.length);
    return (event) => 'orderId' in event && event.orderId === orderId;
  }
  if (actorId.startsWith('position:')) {
    const positionId = actorId.slice('position:'.length);
    return (event) => 'positionId' in event && event.positionId === positionId;
  }
  return undefined;
}

function stateAfter(event: DomainEvent, previous: string): string {
  if (event.type === 'OrderFilled') return event.remainingQuantity === '0' ? 'filled' : previous === 'canceled' || previous === 'expired' ? previous : 'partial';
  if (event.type === 'OrderUpdated' || event.type === 'OrderModifyRejected' || event.type === 'OrderCancelRejected') return previous;
  return ORDER_STATE_AFTER[event.type] ?? previous;
}
