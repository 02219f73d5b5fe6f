// /v1/events: the journal over plain HTTP, a page at a time (the WebSocket stream is /v1/stream).
import type { FastifyInstance } from 'fastify';
import { eventsQuerySchema } from '../schemas.ts';
import { parse, type RouteContext } from './context.ts';

export function eventRoutes(app: FastifyInstance, { events }: RouteContext): void {
  app.get('/v1/events', async (request) => {
    const { after = 0, limit = 1000 } = parse(eventsQuerySchema, request.query, 'query');
    return { events: events.eventsSince(after, limit), lastSequence: events.lastSequence() };
  });
}
