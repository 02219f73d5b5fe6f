// What a log entry carried, in trader terms, for the page's event log: quantity, price, fee, a stop's old and
// new price, a trigger, a reason. Decimal strings as they came; the page rounds them to the instrument.
import type { LogFields } from './protocol.ts';

type Event = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Fields of an event an actor received or a domain event it emitted; `previousStop` is the stop before it. */
export function decodeEvent(event: Event, previousStop: string | undefined): LogFields | undefined {
  const fields: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const decoded = text(value);
    if (decoded !== undefined) fields[name] = decoded;
  };
  switch (event.type) {
    case 'OrderFilled':
      put('quantity', event.fillQuantity);
      put('price', event.fillPrice);
      put('fee', event.fee);
      put('feeCurrency', event.feeCurrency);
      break;
    case 'venue.filled':
    case 'fill':
      put('quantity', event.quantity);
      put('price', event.price);
      put('fee', event.fee);
      put('feeCurrency', event.feeCurrency);
      break;
    case 'OrderInitialized':
    case 'OrderSubmitted':
    case 'OrderPendingUpdate':
    case 'OrderUpdated':
    case 'amend':
    case 'venue.amended':
      put('quantity', event.quantity);
      put('price', event.price);
      put('trigger', event.stopPrice ?? event.triggerPrice);
      break;
    case 'OrderTriggered':
      put('trigger', event.triggerPrice);
      put('price', event.marketPrice);
      break;
    case 'trailingAdvanced':
      put('trigger', event.triggerPrice);
      put('watermark', event.watermark);
      break;
    case 'PositionOpened':
      put('quantity', event.quantity);
      put('price', event.averageEntryPrice);
      put('stopTo', event.stopPrice);
      if (Array.isArray(event.takeProfitPrices) && event.takeProfitPrices.length > 0) fields.takeProfits = event.takeProfitPrices.join(',');
      put('reason', event.planError);
      break;
    case 'PositionChanged':
      put('quantity', event.quantity);
      if (text(event.stopPrice) !== undefined && event.stopPrice !== previousStop) {
        if (previousStop !== undefined) fields.stopFrom = previousStop;
        put('stopTo', event.stopPrice);
      }
      put('realizedPnl', event.realizedPnl);
      put('change', event.change);
      break;
    case 'PositionClosed':
      put('quantity', event.closedQuantity);
      put('realizedPnl', event.realizedPnl);
      put('fee', event.fees);
      put('reason', event.exitReason);
      break;
    case 'updateStop':
      put('stopTo', event.stopPrice);
      if (previousStop !== undefined) fields.stopFrom = previousStop;
      break;
    case 'updateTakeProfit':
      put('price', event.price);
      break;
    case 'halt':
    case 'reduce':
    case 'close':
      put('reason', event.reason);
      put('quantity', event.quantity);
      break;
    default:
      put('reason', event.reason);
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
