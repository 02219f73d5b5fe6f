// /v1/positions and /v1/signals: open (with a protection plan), close, move stop or take-profit, get, list.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnknownPositionError } from '../../engine/errors.ts';
import { apiError, denialError } from '../errors.ts';
import { closePositionSchema, listPositionsQuerySchema, openPositionSchema, signalBodySchema, updateStopSchema, updateTakeProfitSchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

const positionIdParams = z.strictObject({ positionId: z.string().min(1).max(200) });

export function positionRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.post('/v1/positions', async (request, reply) => {
    const body = parse(openPositionSchema, request.body, 'position request');
    const handle = engine.openPosition(body);
    const position = engine.getPosition(handle.positionId);
    if (handle.denial !== undefined) throw denialError(handle.denial, { positionId: handle.positionId, entryOrderId: handle.entryOrderId, position });
    return reply.code(201).send({ position, entryOrderId: handle.entryOrderId });
  });

  app.get('/v1/positions', async (request) => {
    const query = parse(listPositionsQuerySchema, request.query, 'query');
    return { positions: engine.listPositions(query) };
  });

  app.get('/v1/positions/:positionId', async (request) => {
    const { positionId } = parse(positionIdParams, request.params, 'path');
    const position = engine.getPosition(positionId);
    if (position === undefined) throw new UnknownPositionError(positionId);
    return { position };
  });

  app.post('/v1/positions/:positionId/close', async (request, reply) => {
    const { positionId } = parse(positionIdParams, request.params, 'path');
    const body = parse(closePositionSchema, request.body, 'close request');
    const position = engine.closePosition(positionId, body);
    return reply.code(202).send({ position });
  });

  app.put('/v1/positions/:positionId/stop', async (request, reply) => {
    const { positionId } = parse(positionIdParams, request.params, 'path');
    const { stopPrice } = parse(updateStopSchema, request.body, 'stop update');
    return reply.code(202).send({ position: engine.updateStop(positionId, stopPrice) });
  });

  app.put('/v1/positions/:positionId/take-profit', async (request, reply) => {
    const { positionId } = parse(positionIdParams, request.params, 'path');
    const { price } = parse(updateTakeProfitSchema, request.body, 'take-profit update');
    return reply.code(202).send({ position: engine.updateTakeProfit(positionId, price) });
  });

  app.post('/v1/signals', async (request, reply) => {
    const signal = parse(signalBodySchema, request.body, 'signal');
    const outcome = engine.submitSignal(signal);
    switch (outcome.status) {
      case 'opened':
        return reply.code(201).send({ outcome, position: engine.getPosition(outcome.positionId) });
      case 'closing':
        return reply.code(202).send({ outcome, position: engine.getPosition(outcome.positionId) });
      case 'denied':
        throw denialError(outcome.denial, { positionId: outcome.positionId });
      case 'refused':
        throw apiError('signal_refused', `signal refused: ${outcome.reason}`, { reason: outcome.reason });
    }
  });
}
