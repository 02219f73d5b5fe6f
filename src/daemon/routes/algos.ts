// /v1/algos: start an execution algorithm (twap, vwap, pov, iceberg, chase), list, get, pause, resume, amend
// and cancel it. Bodies are checked whole by the engine, which names every reason (400 invalid_algo).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnknownAlgoError } from '../../engine/algos/errors.ts';
import { cancelParentSchema, emptySchema, listAlgosQuerySchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

const algoIdParams = z.strictObject({ algoId: z.string().min(1).max(200) });

export function algoRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.post('/v1/algos', async (request, reply) => {
    const algo = engine.submitAlgo((request.body ?? {}) as never);
    return reply.code(201).send({ algo });
  });

  app.get('/v1/algos', async (request) => {
    const query = parse(listAlgosQuerySchema, request.query, 'query');
    return { algos: engine.listAlgos(query) };
  });

  app.get('/v1/algos/:algoId', async (request) => {
    const { algoId } = parse(algoIdParams, request.params, 'path');
    const algo = engine.getAlgo(algoId);
    if (algo === undefined) throw new UnknownAlgoError(algoId);
    return { algo };
  });

  app.post('/v1/algos/:algoId/pause', async (request, reply) => {
    const { algoId } = parse(algoIdParams, request.params, 'path');
    parse(emptySchema, request.body, 'pause request');
    return reply.code(202).send({ algo: engine.pauseAlgo(algoId) });
  });

  app.post('/v1/algos/:algoId/resume', async (request, reply) => {
    const { algoId } = parse(algoIdParams, request.params, 'path');
    parse(emptySchema, request.body, 'resume request');
    return reply.code(202).send({ algo: engine.resumeAlgo(algoId) });
  });

  app.patch('/v1/algos/:algoId', async (request, reply) => {
    const { algoId } = parse(algoIdParams, request.params, 'path');
    return reply.code(202).send({ algo: engine.amendAlgo(algoId, (request.body ?? {}) as never) });
  });

  app.post('/v1/algos/:algoId/cancel', async (request, reply) => {
    const { algoId } = parse(algoIdParams, request.params, 'path');
    const { reason } = parse(cancelParentSchema, request.body, 'cancel request');
    return reply.code(202).send({ algo: engine.cancelAlgo(algoId, reason) });
  });
}
