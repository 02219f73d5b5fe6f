// What a log entry carried, in trader terms, for the page's event log: quantity, price, fee, a stop's old and
// new price, a trigger, a reason. Decimal strings as they came; the page rounds them to the instrument.
import type { LogFields } from './protocol.ts';

type Event = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Sets a field when the value is text. Not a closure made per call: this runs for every event while a page is open. */
function put(fields: Record<string, string>, name: string, value: unknown): void {
  const decoded = text(value);
  if (decoded !== undefined) fields[name] = decoded;
}

/** Fields of an event an actor received or a domain event it emitted; `previousStop` is the stop before it. */
export function decodeEvent(event: Event, previousStop: string | undefined): LogFields | undefined {
  const fields: Record<string, string> = {};
  switch (event.type) {
    case 'OrderFilled':
      put(fields, 'quantity', event.fillQuantity);
      put(fields, 'price', event.fillPrice);
      put(fields, 'fee', event.fee);
      put(fields, 'feeCurrency', event.feeCurrency);
      break;
    case 'venue.filled':
    case 'fill':
      put(fields, 'quantity', event.quantity);
      put(fields, 'price', event.price);
      put(fields, 'fee', event.fee);
      put(fields, 'feeCurrency', event.feeCurrency);
      break;
    case 'OrderInitialized':
    case 'OrderSubmitted':
    case 'OrderPendingUpdate':
    case 'OrderUpdated':
    case 'amend':
    case 'venue.amended':
      put(fields, 'quantity', event.quantity);
      put(fields, 'price', event.price);
      put(fields, 'trigger', event.stopPrice ?? event.triggerPrice);
      break;
    case 'OrderTriggered':
      put(fields, 'trigger', event.triggerPrice);
      put(fields, 'price', event.marketPrice);
      break;
    case 'trailingAdvanced':
      put(fields, 'trigger', event.triggerPrice);
      put(fields, 'watermark', event.watermark);
      break;
    case 'PositionOpened':
      put(fields, 'quantity', event.quantity);
      put(fields, 'price', event.averageEntryPrice);
      put(fields, 'stopTo', event.stopPrice);
      if (Array.isArray(event.takeProfitPrices) && event.takeProfitPrices.length > 0) fields.takeProfits = event.takeProfitPrices.join(',');
      put(fields, 'reason', event.planError);
      break;
    case 'PositionChanged':
      put(fields, 'quantity', event.quantity);
      if (text(event.stopPrice) !== undefined && event.stopPrice !== previousStop) {
        if (previousStop !== undefined) fields.stopFrom = previousStop;
        put(fields, 'stopTo', event.stopPrice);
      }
      put(fields, 'realizedPnl', event.realizedPnl);
      put(fields, 'change', event.change);
      break;
    case 'PositionClosed':
      put(fields, 'quantity', event.closedQuantity);
      put(fields, 'realizedPnl', event.realizedPnl);
      put(fields, 'fee', event.fees);
      put(fields, 'reason', event.exitReason);
      break;
    case 'updateStop':
      put(fields, 'stopTo', event.stopPrice);
      if (previousStop !== undefined) fields.stopFrom = previousStop;
      break;
    case 'updateTakeProfit':
      put(fields, 'price', event.price);
      break;
    case 'halt':
    case 'reduce':
    case 'close':
      put(fields, 'reason', event.reason);
      put(fields, 'quantity', event.quantity);
      break;
    default:
      put(fields, 'reason', event.reason);
  }
  return Object.keys(fields).length === 0 ? undefined : fields;
}

/**
 * Who sent an event an actor received, as an actor id, read from data (never from id strings): a venue's report
 * comes from `venue:<the order's venue>`, a fill routed to a position from its order, a submit or a denial
 * from the portfolio's risk gate. Undefined for commands from outside (the API, a strategy).
 */
export function sourceIdOf(event: Event, context: unknown): string | undefined {
  const type = String(event.type);
  if (type.startsWith('venue.')) {
    const venue = (context as { venue?: unknown } | undefined)?.venue;
    return typeof venue === 'string' ? `venue:${venue}` : undefined;
  }
  if (type === 'fill' && typeof event.orderId === 'string') return `order:${event.orderId}`;
  if (type === 'submit' || type === 'deny') return 'portfolio';
  return undefined;
}
