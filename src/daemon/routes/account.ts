// Account, balances, fills and trades: read-only views of the ledger and the journal.
import type { FastifyInstance } from 'fastify';
import type { DomainEvent, OrderEvent } from '../../domain/events.ts';
import { accountQuerySchema, emptySchema, fillsQuerySchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

type FillEvent = Extract<OrderEvent, { type: 'OrderFilled' }>;

/** Journal pages read per fills request at most, so one request cannot scan an unbounded journal. */
const MAX_PAGES_PER_REQUEST = 200;
const PAGE_SIZE = 1000;

export function accountRoutes(app: FastifyInstance, { engine, events }: RouteContext): void {
  app.get('/v1/account', async (request) => {
    const { quote } = parse(accountQuerySchema, request.query, 'query');
    return { account: engine.account(quote) };
  });

  app.get('/v1/balances', async (request) => {
    parse(emptySchema, request.query, 'query');
    return { balances: engine.account().balances };
  });

  app.get('/v1/fills', async (request) => {
    const query = parse(fillsQuerySchema, request.query, 'query');
    const limit = query.limit ?? 1000;
    const fills: FillEvent[] = [];
    let after = query.after ?? 0;
    let pages = 0;
    let page: readonly DomainEvent[];
    do {
      page = events.eventsSince(after, PAGE_SIZE);
      for (const event of page) {
        after = event.sequence;
        if (event.type !== 'OrderFilled') continue;
        if (query.orderId !== undefined && event.orderId !== query.orderId) continue;
        if (query.symbol !== undefined && event.symbol !== query.symbol) continue;
        if (query.since !== undefined && event.timestamp < query.since) continue;
        if (query.until !== undefined && event.timestamp > query.until) continue;
        fills.push(event);
        if (fills.length === limit) break;
      }
    } while (fills.length < limit && page.length === PAGE_SIZE && ++pages < MAX_PAGES_PER_REQUEST);
    // `next` resumes the scan: pass it as `after` to read on (absent once the journal's end was reached).
    const reachedEnd = fills.length < limit && page.length < PAGE_SIZE;
    return { fills, ...(reachedEnd ? {} : { next: after }) };
  });

  app.get('/v1/trades', async (request) => {
    parse(emptySchema, request.query, 'query');
    return { trades: engine.trades() };
  });
}
