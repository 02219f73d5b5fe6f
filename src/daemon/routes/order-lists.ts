// /v1/order-lists: place an OTO, OCO, OUO or bracket, list, get and cancel it. Bodies are checked whole by the
// engine, each leg as an order, which names every reason (400 invalid_order_list).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnknownAlgoError } from '../../engine/algos/errors.ts';
import { cancelParentSchema, listOrderListsQuerySchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

const listIdParams = z.strictObject({ listId: z.string().min(1).max(200) });

export function orderListRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.post('/v1/order-lists', async (request, reply) => {
    const orderList = engine.submitOrderList((request.body ?? {}) as never);
    return reply.code(201).send({ orderList });
  });

  app.get('/v1/order-lists', async (request) => {
    const query = parse(listOrderListsQuerySchema, request.query, 'query');
    return { orderLists: engine.listOrderLists(query) };
  });

  app.get('/v1/order-lists/:listId', async (request) => {
    const { listId } = parse(listIdParams, request.params, 'path');
    const orderList = engine.getOrderList(listId);
    if (orderList === undefined) throw new UnknownAlgoError(listId, 'order list');
    return { orderList };
  });

  app.post('/v1/order-lists/:listId/cancel', async (request, reply) => {
    const { listId } = parse(listIdParams, request.params, 'path');
    const { reason } = parse(cancelParentSchema, request.body, 'cancel request');
    return reply.code(202).send({ orderList: engine.cancelOrderList(listId, reason) });
  });
}
