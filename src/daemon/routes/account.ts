// Account, balances, fills, trades and performance: read-only views of the ledger and the journal.
import type { FastifyInstance } from 'fastify';
import { decimal, ZERO } from '../../domain/decimal.ts';
import type { DomainEvent, OrderEvent } from '../../domain/events.ts';
import { apiError } from '../errors.ts';
import { accountQuerySchema, emptySchema, fillsQuerySchema, performanceQuerySchema } from '../schemas.ts';
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

  app.get('/v1/performance', async (request) => {
    const query = parse(performanceQuerySchema, request.query, 'query');
    let startingEquity = query.startingEquity;
    if (startingEquity === undefined) {
      // Equity before the first trade: today's equity less every realized result since.
      const equity = engine.account().equity;
      if (equity === undefined) throw apiError('equity_unknown', 'equity is not known yet (no market price for a balance); pass startingEquity');
      const realized = engine.trades().reduce((sum, trade) => sum.plus(trade.realizedPnl), ZERO);
      startingEquity = decimal(equity).minus(realized).toFixed();
    }
    if (!decimal(startingEquity).gt(ZERO)) throw apiError('invalid_request', `startingEquity must be above 0, got ${startingEquity}`);
    return { startingEquity, performance: engine.performance(startingEquity) };
  });
}
