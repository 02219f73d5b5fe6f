// Trading control: halt (kill switch), reduce-only, resume and emergency close-all. These are never
// rate-limited behind other requests (KILL_SWITCH_ROUTE): a flood of orders cannot lock the kill switch out.
import type { FastifyInstance } from 'fastify';
import { KILL_SWITCH_ROUTE } from '../rate-limit.ts';
import { closeAllSchema, emptySchema, haltSchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

export function controlRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  const state = () => {
    const account = engine.account();
    return { tradingState: account.tradingState, reason: account.reason };
  };

  app.get('/v1/trading-state', KILL_SWITCH_ROUTE, async () => state());

  app.post('/v1/halt', KILL_SWITCH_ROUTE, async (request) => {
    const { reason } = parse(haltSchema, request.body, 'halt request');
    engine.halt(reason);
    return state();
  });

  app.post('/v1/reduce-only', KILL_SWITCH_ROUTE, async (request) => {
    const { reason } = parse(haltSchema, request.body, 'reduce-only request');
    engine.reduceOnly(reason);
    return state();
  });

  app.post('/v1/resume', KILL_SWITCH_ROUTE, async (request) => {
    parse(emptySchema, request.body, 'resume request');
    engine.resume();
    return state();
  });

  app.post('/v1/close-all', KILL_SWITCH_ROUTE, async (request, reply) => {
    const { reason } = parse(closeAllSchema, request.body, 'close-all request');
    engine.closeAll(reason);
    return reply.code(202).send({ ...state(), positions: engine.listPositions({ open: true }) });
  });
}
