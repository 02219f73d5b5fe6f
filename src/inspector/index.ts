// The live inspector on the daemon: GET /inspector (the page and its assets, served from the repo, no CDN),
// machine drawings, per-actor logs and time-travel entries, and two WebSockets: /inspector/stream (fillstate's
// protocol, resumable) and /inspector/stately (Stately's inspector protocol). Mounted as a server plugin.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { ServerMount } from '../daemon/server.ts';
import { ApiError } from '../daemon/errors.ts';
import { InspectorBridge, type BridgeOptions, type BridgeSubscriber } from './bridge.ts';
import { machineDrawing } from './machines.ts';
import { dashboardView, type DashboardOptions } from './views.ts';
import { z } from 'zod';
import { InspectorSessions, INSPECTOR_SECURITY_HEADERS } from './session.ts';
import { StatelySubscriber } from './stately.ts';
import { parseRelayUrl, StatelyRelay, type StatelyRelayOptions } from './stately-relay.ts';

export { InspectorBridge } from './bridge.ts';
export type { BridgeOptions, BridgeSubscriber, BridgeConnection, RetainedEntry } from './bridge.ts';
export type * from './protocol.ts';
export { StatelySubscriber, STATELY_PROTOCOL_VERSION } from './stately.ts';
export { StatelyRelay } from './stately-relay.ts';

export type { DashboardView } from './views.ts';

/** The bridge's options and what the dashboard shows of the daemon's configuration. */
export interface InspectorOptions extends BridgeOptions, DashboardOptions {
  /** Signs the page's session cookie (the daemon passes its token): a session then survives a restart. */
  readonly sessionSecret?: string;
  /** A Stately inspector relay to connect out to (ws:// or wss://), e.g. ws://127.0.0.1:8080. */
  readonly statelyRelayUrl?: string;
  readonly statelyRelay?: StatelyRelayOptions;
  /** Called with the relay client when one is configured (tests and status). */
  readonly onStatelyRelay?: (relay: StatelyRelay) => void;
}

const HISTORY_PAGE_MAX = 500;
const historyQuerySchema = z.strictObject({
  epoch: z.string().min(1).max(100),
  asOf: z.coerce.number().int().min(0),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(200),
  text: z.string().max(200).optional(),
  state: z.string().max(100).optional(),
  symbol: z.string().max(100).optional(),
  token: z.string().optional(),
});

export const INSPECTOR_STREAM_PATH = '/inspector/stream';

const MAX_WATCHED = 20;
const actorIdSchema = z.string().min(1).max(200);
const watchMessageSchema = z.strictObject({ type: z.literal('watch'), actorIds: z.array(actorIdSchema).max(MAX_WATCHED) });

/** The `watch` query values as actor ids (an empty value watches none), or why they are refused. */
function watchedActors(values: readonly string[]): string[] | Error {
  const actorIds = values.filter((value) => value !== '');
  if (actorIds.length > MAX_WATCHED) return new Error(`at most ${MAX_WATCHED} watched actors`);
  if (actorIds.some((id) => !actorIdSchema.safeParse(id).success)) return new Error('a watched actor id is 1 to 200 characters');
  return actorIds;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
export const STATELY_STREAM_PATH = '/inspector/stately';

const PAGE_FILES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'chart.js': 'text/javascript; charset=utf-8',
  'tree.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'price-chart.js': 'text/javascript; charset=utf-8',
  'scripts.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

function loadAssets(): { page: Buffer; assets: Map<string, Asset> } {
  const folder = new URL('./page/', import.meta.url);
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(PAGE_FILES)) assets.set(name, { body: readFileSync(new URL(name, folder)), type });
  const require = createRequire(import.meta.url);
  assets.set('elk.bundled.js', { body: readFileSync(require.resolve('elkjs/lib/elk.bundled.js')), type: 'text/javascript; charset=utf-8' });
  // uPlot draws the price chart: served from the installed package, never a CDN.
  const uplot = new URL('./', pathToFileURL(require.resolve('uplot')));
  assets.set('uPlot.iife.min.js', { body: readFileSync(new URL('uPlot.iife.min.js', uplot)), type: 'text/javascript; charset=utf-8' });
  assets.set('uPlot.min.css', { body: readFileSync(new URL('uPlot.min.css', uplot)), type: 'text/css; charset=utf-8' });
  return { page: readFileSync(new URL('index.html', folder)), assets };
}

/** A page's socket as a bridge client: its backlog is what `ws` has not yet written. */
function pageSubscriber(socket: WebSocket): BridgeSubscriber {
  return {
    bufferedBytes: () => socket.bufferedAmount,
    snapshot: (message) => socket.send(JSON.stringify(message)),
    batch: (_message, _entries, encoded) => socket.send(encoded()),
    resync: (reason) => socket.send(JSON.stringify({ type: 'resync', reason })),
  };
}

/**
 * Registers the inspector on the daemon's server. Pass it as a server plugin:
 * `createServer({ ..., plugins: [(app, mount) => registerInspector(app, mount)] })`. Authentication is the
 * server's: every path here needs the token (header, or `?token=` for the page and its sockets).
 */
export function registerInspector(app: FastifyInstance, mount: ServerMount, options: InspectorOptions = {}): InspectorBridge {
  const { engine, webSockets, logger } = mount;
  const bridge = new InspectorBridge(engine, options);
  // A bad relay URL fails the start, before the server listens: fail closed, with the reason.
  const relayUrl = options.statelyRelayUrl === undefined ? undefined : parseRelayUrl(options.statelyRelayUrl);
  const { page, assets } = loadAssets();
  const sessions = new InspectorSessions(options.sessionSecret);
  mount.acceptCredential((request) => sessions.authenticates(request));

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/inspector')) for (const [name, value] of Object.entries(INSPECTOR_SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });

  app.get('/inspector', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    // The token got the request this far (the server checked it): trade it for a session cookie. The page then
    // drops it from its address (history.replaceState), so it leaves the address bar and the history.
    if (new URL(request.url, 'http://localhost').searchParams.has('token')) reply.header('set-cookie', sessions.open(request.protocol === 'https'));
    reply.type('text/html; charset=utf-8');
    return reply.send(page);
  });

  app.get('/inspector/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const asset = assets.get(name);
    if (asset === undefined) throw new ApiError(404, 'not_found', `no inspector asset ${name}`);
    reply.header('cache-control', 'no-cache').type(asset.type);
    return reply.send(asset.body);
  });

  app.get('/inspector/machines/:machineId', async (request, reply) => {
    const { machineId } = request.params as { machineId: string };
    const drawing = machineDrawing(machineId);
    if (drawing === undefined) throw new ApiError(404, 'not_found', `no machine ${machineId}; known: order, position, portfolio`);
    // A machine changes only with its version, which the page puts in the URL.
    reply.header('cache-control', 'private, max-age=86400');
    return reply.send(drawing);
  });

  app.get('/inspector/actors/:actorId', async (request) => {
    const { actorId } = request.params as { actorId: string };
    const node = bridge.node(actorId);
    if (node === undefined) throw new ApiError(404, 'not_found', `no actor ${actorId}`);
    return { node };
  });

  app.get('/inspector/actors/:actorId/log', async (request) => {
    const { actorId } = request.params as { actorId: string };
    return { actorId, entries: bridge.actorLog(actorId), journal: bridge.journal(actorId) };
  });

  app.get('/inspector/history', async (request) => {
    const parsed = historyQuerySchema.safeParse(request.query ?? {});
    if (!parsed.success) throw new ApiError(400, 'invalid_request', `history query: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const { epoch, asOf, offset, limit, text, state, symbol } = parsed.data;
    const page = bridge.historyPage(epoch, asOf, offset, limit, { text: text?.toLowerCase(), state, symbol });
    if (page === undefined) throw new ApiError(409, 'history_changed', 'the finished-actor history was renumbered since this page connected (the inspector re-attached); reconnect for a new snapshot');
    return page;
  });

  app.get('/inspector/prices', async (request) => {
    const { symbol } = request.query as { symbol?: string };
    if (typeof symbol !== 'string' || symbol.length === 0 || symbol.length > 100) throw new ApiError(400, 'invalid_request', 'symbol is required, e.g. ?symbol=BTC/USDT');
    const series = bridge.priceSeries(symbol);
    if (series === undefined) throw new ApiError(409, 'not_attached', 'price series are gathered while an inspector page is connected; none is now');
    return { series };
  });

  app.get('/inspector/dashboard', async () => ({ dashboard: dashboardView(engine, options, bridge.recentActivity()) }));

  app.get('/inspector/entries/:sequence', async (request) => {
    const { sequence } = request.params as { sequence: string };
    const number = Number(sequence);
    if (!Number.isSafeInteger(number) || number <= 0) throw new ApiError(400, 'invalid_request', `sequence must be a positive integer, got ${JSON.stringify(sequence)}`);
    const entry = bridge.entry(number);
    if (entry === undefined) throw new ApiError(404, 'not_found', `entry ${number} is not kept (the inspector keeps the most recent entries while a page is open); the actor's journal history still has its domain events`);
    return { entry };
  });

  webSockets.register(INSPECTOR_STREAM_PATH, (socket, _request, url) => {
    const session = url.searchParams.get('session');
    const after = url.searchParams.get('after');
    const resume = session !== null && after !== null && /^\d+$/.test(after) ? { session, after: Number(after) } : undefined;
    // `watch` (repeatable; empty for none): the actors whose log entries this client wants. Absent: every entry.
    const watch = url.searchParams.has('watch') ? watchedActors(url.searchParams.getAll('watch')) : undefined;
    if (watch instanceof Error) {
      socket.close(1008, watch.message);
      return;
    }
    const connection = bridge.connect(pageSubscriber(socket), { ...(resume === undefined ? {} : { resume }), ...(watch === undefined ? {} : { watch }) });
    socket.on('message', (data: Buffer) => {
      // The only message a page sends: which actors' log it now shows. Anything else ends the socket, with why.
      const parsed = watchMessageSchema.safeParse(parseJson(data.toString()));
      if (!parsed.success) {
        socket.close(1008, 'expected {"type":"watch","actorIds":[...]} (at most 20 actor ids)');
        return;
      }
      connection.watch(parsed.data.actorIds);
    });
    socket.on('close', () => connection.close());
    socket.on('error', (error) => logger.debug({ err: error }, 'inspector socket error'));
  });

  webSockets.register(STATELY_STREAM_PATH, (socket) => {
    const connection = bridge.connect(new StatelySubscriber(engine, (message) => socket.send(message), () => socket.bufferedAmount, (limit) => bridge.recentFinished(limit)));
    socket.on('close', () => connection.close());
    socket.on('error', (error) => logger.debug({ err: error }, 'stately inspector socket error'));
  });

  let relay: StatelyRelay | undefined;
  if (relayUrl !== undefined) {
    // Connects once the server is up, so a page and the relay see the same daemon.
    app.addHook('onReady', async () => {
      relay = new StatelyRelay(bridge, engine, relayUrl, logger, options.statelyRelay);
      options.onStatelyRelay?.(relay);
    });
  }

  app.addHook('onClose', async () => {
    relay?.stop();
    bridge.close();
  });
  return bridge;
}
