// /v1/orders: submit (idempotent on clientOrderId), amend, cancel, get and list.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrderRequest, type OrderRequest } from '../../domain/order-request.ts';
import { UnknownOrderError } from '../../engine/errors.ts';
import { apiError, denialError } from '../errors.ts';
import { listOrdersQuerySchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

const orderIdParams = z.strictObject({ orderId: z.string().min(1).max(200) });

/** The request fields that define an order: a repeat with the same clientOrderId must match them. */
const IDENTITY_FIELDS = [
  'venue', 'symbol', 'side', 'type', 'quantity', 'price', 'stopPrice', 'trailingOffset', 'trailingPercent',
  'activationPrice', 'timeInForce', 'expireAt', 'postOnly', 'reduceOnly', 'parentId',
] as const satisfies readonly (keyof OrderRequest)[];

export function orderRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.post('/v1/orders', async (request, reply) => {
    const parsed = parseOrderRequest(request.body ?? {});
    if (parsed.clientOrderId !== undefined) {
      const existing = engine.getOrderActor(parsed.clientOrderId);
      if (existing !== undefined) {
        // Idempotent retry: the same request returns the order it made; a different one is a conflict.
        const original = existing.getSnapshot().context.request;
        const differing = IDENTITY_FIELDS.filter((field) => field !== 'venue' && original[field] !== parsed[field]);
        if (parsed.venue !== undefined && parsed.venue !== existing.getSnapshot().context.venue) differing.unshift('venue');
        if (differing.length > 0) {
          throw apiError('idempotency_conflict', `clientOrderId ${parsed.clientOrderId} already names an order with a different ${differing.join(', ')}`, {
            orderId: parsed.clientOrderId,
            fields: differing,
          });
        }
        return reply.code(200).send({ order: engine.getOrder(parsed.clientOrderId), created: false });
      }
    }
    // Answered once the order is on disk (the server's onSend hook waits for the commit): a client never hears
    // "created" of an order a crash could lose.
    const handle = engine.submitOrder(request.body as never);
    const order = engine.getOrder(handle.orderId);
    if (handle.denial !== undefined) throw denialError(handle.denial, { orderId: handle.orderId, order });
    return reply.code(handle.created ? 201 : 200).send({ order, created: handle.created });
  });

  app.get('/v1/orders', async (request) => {
    const query = parse(listOrdersQuerySchema, request.query, 'query');
    const orders = engine.listOrders({ status: query.status, symbol: query.symbol, venue: query.venue, parentId: query.parentId, live: query.live, since: query.since, until: query.until });
    // The most recent `limit` orders, oldest first.
    return { orders: query.limit === undefined ? orders : orders.slice(-query.limit) };
  });

  app.get('/v1/orders/:orderId', async (request) => {
    const { orderId } = parse(orderIdParams, request.params, 'path');
    const order = engine.getOrder(orderId);
    if (order === undefined) throw new UnknownOrderError(orderId);
    return { order };
  });

  app.patch('/v1/orders/:orderId', async (request, reply) => {
    const { orderId } = parse(orderIdParams, request.params, 'path');
    engine.amendOrder(orderId, request.body ?? {});
    return reply.code(202).send({ order: engine.getOrder(orderId) });
  });

  app.delete('/v1/orders/:orderId', async (request, reply) => {
    const { orderId } = parse(orderIdParams, request.params, 'path');
    engine.cancelOrder(orderId);
    return reply.code(202).send({ order: engine.getOrder(orderId) });
  });
}
