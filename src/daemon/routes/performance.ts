// GET /v1/performance: the statistics of the daemon's closed trades (all, or since a time), the same figures
// `fillstate report --since` shows, and the older per-trade summary under `performance`.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { historyStatistics } from '../../backtest/history.ts';
import { decimal, isDecimalText, ZERO } from '../../domain/decimal.ts';
import { ApiError } from '../errors.ts';
import { parse, type RouteContext } from './context.ts';

const decimalString = (name: string) => z.string().refine(isDecimalText, { message: `${name} must be a decimal number written as a string` });
const time = (name: string) => z.coerce.number().int(`${name} must be epoch milliseconds`).min(0, `${name} must be epoch milliseconds`);

export const performanceQuerySchema = z.strictObject({
  startingEquity: decimalString('startingEquity').optional(),
  since: time('since').optional(),
  until: time('until').optional(),
});

export function performanceRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.get('/v1/performance', async (request) => {
    const query = parse(performanceQuerySchema, request.query, 'query');
    if (query.startingEquity !== undefined && !decimal(query.startingEquity).gt(ZERO)) throw new ApiError(400, 'invalid_request', `startingEquity must be above 0, got ${query.startingEquity}`);
    if (query.since !== undefined && query.until !== undefined && query.until < query.since) throw new ApiError(400, 'invalid_request', `until (${query.until}) is before since (${query.since})`);
    const equityNow = engine.account().equity;
    if (query.startingEquity === undefined && equityNow === undefined) {
      throw new ApiError(409, 'equity_unknown', 'equity is not known yet (no market price for a balance); pass startingEquity');
    }
    const trades = engine.trades();
    let history;
    try {
      history = historyStatistics({ trades, equityNow, startingEquity: query.startingEquity, since: query.since, until: query.until });
    } catch (error) {
      throw new ApiError(409, 'equity_unknown', (error as Error).message);
    }
    return {
      /** The currency of equity and PnL: the default venue's first instrument's quote. */
      quote: engine.venue(engine.venueIds()[0]!).instruments()[0]?.quote,
      startingEquity: history.startingEquity,
      start: history.start,
      end: history.end,
      statistics: history.statistics,
      execution: engine.executionQuality(),
      executionByAlgorithm: engine.executionQualityByAlgorithm(),
      performance: engine.performance(history.startingEquity),
    };
  });
}
