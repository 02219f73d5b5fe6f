// The daemon's HTTP + WebSocket API on fastify: token auth on every route but /health, per-client rate limit,
// JSON errors with codes, Prometheus /metrics, the /v1/stream event stream, and a place to mount the inspector.
//
// Mounting more routes (the inspector): `createServer(...)` resolves to `{ app, authenticate, webSockets, ... }`.
// HTTP routes added to `app` are behind the same auth hook; paths under /inspector also accept `?token=` (a
// browser cannot set headers on a page load or a WebSocket). A WebSocket endpoint is added with
// `webSockets.register(path, (socket, request) => ...)`: the upgrade is authenticated (header or ?token=) and
// rate-limited before the handler runs. Pass `plugins: [(app, mount) => registerInspector(app, mount)]` so it
// is registered before the server listens.
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import { API_ERROR_CODES, apiError, errorBody, frameworkError, toApiError, type ApiErrorCode } from './errors.ts';
import { redactUrl } from './logger.ts';
import { createMetrics, type DaemonMetrics, type JournalMetricsSource } from './metrics.ts';
import { ClientRateLimiter } from './rate-limit.ts';
import { accountRoutes } from './routes/account.ts';
import { algoRoutes } from './routes/algos.ts';
import { orderListRoutes } from './routes/order-lists.ts';
import type { RouteContext } from './routes/context.ts';
import { controlRoutes } from './routes/control.ts';
import { eventRoutes } from './routes/events.ts';
import { orderRoutes } from './routes/orders.ts';
import { performanceRoutes } from './routes/performance.ts';
import { positionRoutes } from './routes/positions.ts';
import { streamQuerySchema } from './schemas.ts';
import { EventStreamClient, STREAM_CLOSE_BAD_REQUEST, type EventLog } from './stream.ts';
import { bearerToken, createTokenCheck } from './token.ts';

/** Checks a request's credentials: the bearer header, or `?token=` where `allowQueryToken` says so. */
export type Authenticate = (request: { headers: IncomingHttpHeaders; url?: string }, options?: { allowQueryToken?: boolean }) => boolean;

export type WebSocketHandler = (socket: WebSocket, request: IncomingMessage, url: URL) => void;

export interface WebSocketRoutes {
  /** Serves WebSocket upgrades at `path` (exact match, query ignored) once authenticated. */
  register(path: string, handler: WebSocketHandler): void;
}

/** What a plugin (the inspector) gets to mount itself. */
export interface ServerMount {
  readonly engine: Engine;
  readonly authenticate: Authenticate;
  readonly webSockets: WebSocketRoutes;
  readonly logger: Logger;
  /** Adds a credential the server accepts besides the token (the inspector's session cookie). */
  acceptCredential(check: (request: { headers: IncomingHttpHeaders }) => boolean): void;
}

export type ServerPlugin = (app: FastifyInstance, mount: ServerMount) => void | Promise<void>;

export interface ServerOptions {
  readonly engine: Engine;
  readonly token: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Largest request body in bytes; default 64 KiB. */
  readonly bodyLimitBytes?: number;
  /** Per-client token bucket; false turns it off (benchmarks). Default 500/s, burst 1000. */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number } | false;
  /** Default 10,000 events. */
  readonly streamBufferEvents?: number;
  /** The event log the stream, /v1/events and /v1/fills read; defaults to the engine. */
  readonly events?: EventLog;
  /** The store, for journal metrics. */
  readonly journal?: JournalMetricsSource;
  /** Extra readiness checks (name -> problem, or undefined when fine). */
  readonly readiness?: () => Record<string, string | undefined>;
  readonly plugins?: readonly ServerPlugin[];
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  readonly authenticate: Authenticate;
  readonly webSockets: WebSocketRoutes;
  readonly metrics: DaemonMetrics;
  /** Every route served, as `METHOD /path` (`WS /path` for WebSocket endpoints): what the README's table lists. */
  routes(): readonly string[];
  /** Stream clients connected now. */
  streamClients(): number;
  /** Stops taking requests and connections, ends streams, waits for requests in flight. */
  close(): Promise<void>;
}

/** Paths that also accept `?token=`: pages and sockets a browser opens. */
const QUERY_TOKEN_PATHS = [/^\/v1\/stream(?:\?|$)/, /^\/inspector(?:[/?]|$)/];
const PUBLIC_PATHS = new Set(['/health']);
/** Longest request URL (path and query) answered; a longer one is a 414. No route needs more than a few hundred. */
export const MAX_URL_LENGTH = 4096;
/** Longest path parameter (an order or position id) routed; a longer one is a 414. */
export const MAX_PARAM_LENGTH = 200;

/** Logs each request once it completed, at debug: a busy API would otherwise drown the event lines. */
class DebugRequestLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    request.log.debug({ method: request.method, url: redactUrl(request.url), statusCode: reply.statusCode, ms: Number(reply.elapsedTime.toFixed(3)) }, 'request completed');
  }
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { engine } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const events = options.events ?? engineEventLog(engine);
  const checkToken = createTokenCheck(options.token);
  const limiter = options.rateLimit === false ? undefined : new ClientRateLimiter(options.rateLimit ?? { perSecond: 500, burst: 1000 });
  const metrics = createMetrics(engine, engine.venueIds(), options.journal);
  const streamClients = new Set<EventStreamClient>();
  const webSocketHandlers = new Map<string, WebSocketHandler>();
  const credentialChecks: Array<(request: { headers: IncomingHttpHeaders }) => boolean> = [];
  let closing = false;

  const authenticate: Authenticate = (request, authOptions = {}) => {
    const fromHeader = bearerToken(typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined);
    if (fromHeader !== undefined) return checkToken(fromHeader);
    if (credentialChecks.some((check) => check(request))) return true;
    if (authOptions.allowQueryToken === true && request.url !== undefined) {
      const fromQuery = parseRequestUrl(request.url)?.searchParams.get('token');
      if (fromQuery !== undefined && fromQuery !== null) return checkToken(fromQuery);
    }
    return false;
  };

  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    logController: new DebugRequestLog(),
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Requests that arrive while closing get the API's own 503 (the onRequest hook), not fastify's body.
    return503OnClosing: false,
    // The HTTP parser's refusals (headers too large, malformed request lines, timeouts) in the API's shape.
    clientErrorHandler: answerClientError,
    forceCloseConnections: 'idle',
    // Keep-alive connections from load generators and CLIs stay open between requests.
    keepAliveTimeout: 10_000,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Refusals the router makes before any hook runs (a bad percent-encoding, an over-long path parameter).
    frameworkErrors: (error, _request, reply) => {
      const answer = frameworkError(error) ?? apiError('bad_request', `the request cannot be routed: ${error.message}`);
      void (reply as FastifyReply).code(answer.statusCode).send(answer.body());
    },
  });

  const httpRoutes: string[] = [];
  app.addHook('onRoute', (route) => {
    // HEAD routes are fastify's automatic twins of GET routes.
    for (const method of [route.method].flat()) if (method !== 'HEAD') httpRoutes.push(`${method} ${route.url}`);
  });

  app.addHook('onRequest', async (request, reply) => {
    if (closing) throw apiError('shutting_down', 'the daemon is shutting down and takes no new requests; retry once it is back');
    if (request.url.length > MAX_URL_LENGTH) throw apiError('uri_too_long', `the request URL is ${request.url.length} characters long; at most ${MAX_URL_LENGTH} are accepted`);
    const path = request.url.split('?', 1)[0]!;
    const isPublic = PUBLIC_PATHS.has(path);
    const allowQueryToken = request.method === 'GET' && QUERY_TOKEN_PATHS.some((pattern) => pattern.test(request.url));
    const authenticated = !isPublic && authenticate(request, { allowQueryToken });
    // The kill switch is never rate-limited behind other requests: an authenticated halt, resume, reduce-only or
    // close-all always passes. Everything else (and an unauthenticated request anywhere) takes a token first.
    const killSwitch = authenticated && request.routeOptions.config.killSwitch === true;
    if (limiter !== undefined && !killSwitch) {
      const wait = limiter.take(request.ip);
      if (wait > 0) {
        throw apiError('rate_limited', `too many requests from ${request.ip}; retry in ${Math.ceil(wait * 1000)} ms`, undefined, { 'retry-after': String(Math.max(1, Math.ceil(wait))) });
      }
    }
    if (isPublic || authenticated) return;
    reply.header('www-authenticate', 'Bearer realm="fillstate"');
    throw apiError('unauthorized', 'a valid token is required: send "Authorization: Bearer <token>" (the token is in FILLSTATE_TOKEN or <data-dir>/token)');
  });

  // A command is answered only once what it changed is on disk (the turn's group commit): an order the client
  // heard "created" (or a cancel it heard "accepted") survives a crash. Refusals wait too, as a denial is
  // journaled. Concurrent requests of one turn share one commit.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') await engine.whenDurable();
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const answer = toApiError(error) ?? frameworkError(error);
    if (answer === undefined) {
      request.log.error({ err: error, method: request.method, url: redactUrl(request.url) }, `unexpected error in ${request.method} ${request.routeOptions.url ?? request.url}: ${error.message}`);
      return reply.code(500).send(errorBody('internal', 'an unexpected error occurred; it was logged'));
    }
    for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
    return reply.code(answer.statusCode).send(answer.body());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    // The path is echoed shortened: an answer is never much larger than its question's route.
    reply.code(404).send(errorBody('not_found', `no route ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}; the API is under /v1 (see the README)`));
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const checks: Record<string, string | undefined> = { ...venueReadiness(engine), ...(options.readiness?.() ?? {}) };
    if (closing) checks.daemon = 'shutting down';
    const problems = Object.fromEntries(Object.entries(checks).filter(([, problem]) => problem !== undefined));
    const ready = Object.keys(problems).length === 0;
    return reply.code(ready ? 200 : 503).send({ ready, tradingState: engine.tradingState(), lastSequence: events.lastSequence(), problems });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  const context: RouteContext = { engine, events };
  orderRoutes(app, context);
  positionRoutes(app, context);
  algoRoutes(app, context);
  orderListRoutes(app, context);
  accountRoutes(app, context);
  performanceRoutes(app, context);
  controlRoutes(app, context);
  eventRoutes(app, context);

  const webSockets: WebSocketRoutes = {
    register(path, handler) {
      if (webSocketHandlers.has(path)) throw new Error(`a WebSocket route is already registered at ${path}`);
      webSocketHandlers.set(path, handler);
    },
  };
  const streamBufferEvents = options.streamBufferEvents ?? 10_000;
  webSockets.register('/v1/stream', (socket, _request, url) => {
    const query = streamQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) {
      socket.close(STREAM_CLOSE_BAD_REQUEST, query.error.issues.map((issue) => issue.message).join('; ').slice(0, 120));
      return;
    }
    const client = new EventStreamClient(socket, events, query.data.after ?? events.lastSequence(), { maxBufferedEvents: streamBufferEvents }, (gone) => streamClients.delete(gone));
    if (!client.closed) streamClients.add(client);
  });

  for (const plugin of options.plugins ?? []) await plugin(app, { engine, authenticate, webSockets, logger, acceptCredential: (check) => void credentialChecks.push(check) });

  const webSocketServer = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = parseRequestUrl(request.url ?? '/');
    // A request line no URL parser accepts is answered here: a throw in this listener would end the process.
    if (url === undefined) return writeRawError(socket, 'bad_request', 'the request URL cannot be parsed');
    const handler = webSocketHandlers.get(url.pathname);
    if (handler === undefined) {
      // Another 'upgrade' listener may serve this path; answer only when nobody else can.
      if (app.server.listenerCount('upgrade') === 1) writeRawError(socket, 'not_found', `no WebSocket endpoint at ${url.pathname}`);
      return;
    }
    if (closing) return writeRawError(socket, 'shutting_down', 'the daemon is shutting down and takes no new connections');
    if (limiter !== undefined && limiter.take(request.socket.remoteAddress ?? 'unknown') > 0) return writeRawError(socket, 'rate_limited', 'too many requests from this client; retry in a second');
    if (!authenticate(request, { allowQueryToken: true })) return writeRawError(socket, 'unauthorized', 'a valid token is required (Authorization header or ?token=)');
    webSocketServer.handleUpgrade(request, socket, head, (client) => handler(client, request, url));
  });

  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const port = (app.server.address() as { port: number }).port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.debug({ address }, 'API listening');

  return {
    app,
    url,
    port,
    authenticate,
    webSockets,
    metrics,
    routes: () => [...httpRoutes, ...[...webSocketHandlers.keys()].map((path) => `WS ${path}`)],
    streamClients: () => streamClients.size,
    async close() {
      if (closing) return;
      closing = true;
      for (const client of [...streamClients]) client.close();
      for (const socket of webSocketServer.clients) socket.close(1001, 'the daemon is shutting down');
      await app.close();
      webSocketServer.close();
      for (const socket of webSocketServer.clients) socket.terminate();
      metrics.stop();
    },
  };
}

function parseRequestUrl(url: string): URL | undefined {
  try {
    return new URL(url, 'http://localhost');
  } catch {
    return undefined;
  }
}

/** Answers on a raw socket (an upgrade, or a request the HTTP parser refused) in the API's error shape, and closes it. */
function writeRawError(socket: Duplex, code: ApiErrorCode, message: string): void {
  const status = API_ERROR_CODES[code].status;
  const body = JSON.stringify(errorBody(code, message));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The HTTP parser's refusals: what fastify would answer, in the API's shape. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') return writeRawError(socket, 'headers_too_large', 'the request line and headers are larger than the server accepts (16 KiB)');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return writeRawError(socket, 'request_timeout', 'the request was not received in time');
  writeRawError(socket, 'bad_request', 'the request is not valid HTTP/1.1');
}

/** The engine as the stream's event log: its journal (or recent history without a store) and its live feed. */
export function engineEventLog(engine: Engine): EventLog {
  return {
    eventsSince: (afterSequence, limit) => engine.eventsSince(afterSequence, limit),
    lastSequence: () => engine.lastSequence(),
    subscribe: (listener) => engine.subscribe(listener),
  };
}

function venueReadiness(engine: Engine): Record<string, string | undefined> {
  const checks: Record<string, string | undefined> = {};
  for (const venueId of engine.venueIds()) {
    const venue = engine.venue(venueId) as unknown as { connectionState?: () => string };
    const state = typeof venue.connectionState === 'function' ? venue.connectionState() : 'live';
    checks[`venue:${venueId}`] = state === 'live' ? undefined : `venue ${venueId} is ${state}`;
  }
  return checks;
}
