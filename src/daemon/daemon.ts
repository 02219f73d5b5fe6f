// `fillstate start`: builds venue, store, engine and API from the configuration, runs them, and shuts them
// down in order on SIGINT/SIGTERM (stop taking requests, finish the journal commit, optionally cancel resting
// orders, disconnect). Start-up and recovery are one path: the engine restores from the store when it starts.
import path from 'node:path';
import type { Logger } from 'pino';
import type { DomainEvent } from '../domain/events.ts';
import { SystemClock, type Clock } from '../domain/clock.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import type { SignalDefaults } from '../engine/signals.ts';
import type { Venue } from '../../adapters/venue.ts';
import { WebSocketVenue } from '../../adapters/websocket-venue/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { configuredVenues, type DaemonConfig, type VenueConfig } from './config.ts';
import { startDemoSignals } from './demo-signals.ts';
import { describeEvent } from './event-lines.ts';
import { createLogger } from './logger.ts';
import { createPaperMarket, type PaperMarket } from './paper-market.ts';
import { createServer, type RunningServer } from './server.ts';
import { registerInspector } from '../inspector/index.ts';
import { lockDataDirectory } from './data-dir-lock.ts';
import { resolveToken } from './token.ts';

export interface StartDaemonOptions {
  readonly config: DaemonConfig;
  readonly env?: NodeJS.ProcessEnv;
  /** Default: from config.log. */
  readonly logger?: Logger;
  /** Default: wall time. */
  readonly clock?: Clock;
}

export interface RunningDaemon {
  readonly engine: Engine;
  readonly server: RunningServer;
  /** http://host:port of the API. */
  readonly url: string;
  /** The inspector page, with the token in its query (a browser cannot send headers on a page load). */
  readonly inspectorUrl: string;
  readonly token: string;
  readonly tokenOrigin: 'environment' | 'file' | 'generated';
  readonly dataDir: string;
  /** The SQLite file: journal, snapshots, intents. */
  readonly store: Store;
  readonly logger: Logger;
  /** Stops in order; resolves when everything is closed. Safe to call twice. */
  shutdown(reason: string): Promise<void>;
}

export const DATABASE_FILE_NAME = 'fillstate.db';
/** The in-process paper venue's saved state, beside the journal. */
export const PAPER_VENUE_FILE_NAME = 'paper-venue.json';

/** How long a shutdown waits for the venue to confirm cancels when `shutdown.cancelOpenOrders` is set. */
const CANCEL_CONFIRM_TIMEOUT_MS = 5_000;

export async function startDaemon(options: StartDaemonOptions): Promise<RunningDaemon> {
  const dataDir = path.resolve(options.config.dataDir);
  // Before anything touches the directory's files: one daemon per data directory.
  const unlock = lockDataDirectory(dataDir);
  try {
    return await startLocked(options, dataDir, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

async function startLocked(options: StartDaemonOptions, dataDir: string, unlock: () => void): Promise<RunningDaemon> {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ level: config.log.level, pretty: config.log.pretty });
  const clock = options.clock ?? new SystemClock();
  const token = resolveToken(dataDir, env);
  if (token.origin === 'generated') logger.info({ file: token.file }, `generated an API token in ${token.file} (mode 0600)`);

  const created = [];
  for (const venueConfig of configuredVenues(config)) created.push(await createVenue(venueConfig, clock, env, logger, dataDir));
  const venues = created.map((entry) => entry.venue);
  const market = created.find((entry) => entry.market !== undefined)?.market;
  // A corrupt or foreign file is refused here, unmodified (StoreOpenError says why).
  const store = openStore({ path: path.join(dataDir, DATABASE_FILE_NAME), logger: logger.child({ component: 'store' }) });
  const engine = createEngine({
    venues,
    clock,
    logger: logger.child({ component: 'engine' }),
    risk: config.risk,
    signals: config.signals satisfies SignalDefaults,
    store,
  });
  engine.subscribe((event: DomainEvent) => logger.info({ event }, `${event.type} #${event.sequence} ${describeEvent(event)}`));

  try {
    // Start-up is recovery: actors restored from the store, the journal replayed, each venue reconciled.
    await engine.start();
  } catch (error) {
    await engine.stop().catch(() => {});
    store.close();
    throw error;
  }
  const recovery = engine.recoveryReport();
  if (recovery !== undefined && recovery.lastSequence > 0) {
    logger.info({ recovery }, `recovered ${recovery.restoredOrders} order(s) and ${recovery.restoredPositions} position(s) from ${store.path} (journal at #${recovery.lastSequence})`);
    if (market !== undefined && !market.restored) {
      // Not silent: the journal remembers a venue that this process has just created anew.
      logger.warn(
        { venue: market.venue.id },
        `the in-process paper venue had no saved state (${PAPER_VENUE_FILE_NAME} in the data directory) and started afresh: the resting orders and balances the journal knows of are not there (see the reconciliation above)`,
      );
    }
  }
  if (market?.stateRecovery !== undefined) logger.warn({ venue: config.venue.id }, market.stateRecovery);
  market?.start();

  let server: RunningServer;
  try {
    server = await createServer({
      engine,
      token: token.token,
      host: config.server.host,
      port: config.server.port,
      logger: logger.child({ component: 'api' }),
      bodyLimitBytes: config.server.bodyLimitBytes,
      rateLimit: config.server.rateLimit,
      streamBufferEvents: config.server.streamBufferEvents,
      journal: store,
      readiness: () => ({ store: store.isOpen ? undefined : 'the store is closed' }),
      plugins: [(app, mount) => void registerInspector(app, mount, { sessionSecret: token.token, dailyLossLimit: config.risk.dailyLossLimit, statelyRelayUrl: config.inspector.statelyRelayUrl })],
    });
  } catch (error) {
    market?.stop();
    await engine.stop();
    store.close();
    throw error;
  }

  const firstSymbol = venues[0]!.instruments()[0]?.symbol;
  const stopDemo = config.demo.enabled && firstSymbol !== undefined
    ? startDemoSignals({
        engine,
        clock,
        symbol: firstSymbol,
        everyMs: config.demo.everyMs,
        report: (signal, outcome) => logger.info({ signal: { symbol: signal.symbol, action: signal.action, confidence: signal.confidence }, outcome }, `demo signal ${signal.action} ${signal.symbol}: ${outcome}`),
      })
    : () => {};

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, `shutting down (${reason})`);
      stopDemo();
      // First: no new requests or streams; requests in flight finish.
      await server.close();
      if (config.shutdown.cancelOpenOrders) await cancelOpenOrders(engine, clock, logger);
      else logger.info({ live: engine.listOrders({ live: true }).length }, 'resting orders are left at the venue as they are');
      if (config.shutdown.handStopsToVenue) await handStopsToVenue(engine, logger);
      reportUnprotectedPositions(engine, logger);
      market?.stop();
      // The engine commits what its last turn decided; then the file is closed cleanly.
      await engine.stop();
      store.flush();
      store.close();
      unlock();
      logger.info('stopped');
      logger.flush();
    })();
    return stopping;
  };

  return {
    engine,
    server,
    url: server.url,
    inspectorUrl: `${server.url}/inspector?token=${encodeURIComponent(token.token)}`,
    token: token.token,
    tokenOrigin: token.origin,
    dataDir,
    store,
    logger,
    shutdown,
  };
}

async function createVenue(venueConfig: VenueConfig, clock: Clock, env: NodeJS.ProcessEnv, logger: Logger, dataDir: string): Promise<{ venue: Venue; market?: PaperMarket }> {
  if (venueConfig.type === 'paper') {
    const market = createPaperMarket(venueConfig, clock, path.join(dataDir, PAPER_VENUE_FILE_NAME));
    return { venue: market.venue, market };
  }
  if (venueConfig.type === 'ccxt') {
    const apiKey = env[venueConfig.apiKeyEnv];
    const secret = env[venueConfig.secretEnv];
    const passphrase = venueConfig.passwordEnv === undefined ? undefined : env[venueConfig.passwordEnv];
    const named: Array<[string, string | undefined]> = [[venueConfig.apiKeyEnv, apiKey], [venueConfig.secretEnv, secret], ...(venueConfig.passwordEnv === undefined ? [] : [[venueConfig.passwordEnv, passphrase] as [string, string | undefined]])];
    const missing = named.filter(([, value]) => value === undefined || value === '').map(([name]) => name);
    if (missing.length > 0) throw new Error(`venue "${venueConfig.id}" needs its API credentials in the environment variable${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}`);
    // Loaded only when configured: ccxt is large, and a daemon on another venue should not pay for it.
    const { CcxtVenue, profileFor } = await import('../../adapters/ccxt/index.ts');
    return {
      venue: new CcxtVenue({
        id: venueConfig.id,
        profile: profileFor(venueConfig.exchange, venueConfig.market, passphrase === undefined ? {} : { passphrase }),
        apiKey: apiKey!,
        secret: secret!,
        testnet: venueConfig.testnet,
        ...(venueConfig.urls !== undefined ? { urls: venueConfig.urls } : {}),
        dryRun: venueConfig.dryRun,
        ...(venueConfig.symbols !== undefined ? { symbols: venueConfig.symbols } : {}),
        ...(venueConfig.leverage !== undefined ? { leverage: venueConfig.leverage } : {}),
        ...(venueConfig.marginMode !== undefined ? { marginMode: venueConfig.marginMode } : {}),
        quietBackfillMs: venueConfig.quietBackfillMs,
        clock,
        logger: logger.child({ component: 'venue', venue: venueConfig.id }),
      }),
    };
  }
  const venueToken = env[venueConfig.tokenEnv];
  if (venueToken === undefined || venueToken === '') {
    throw new Error(`venue "${venueConfig.id}" needs its token in the environment variable ${venueConfig.tokenEnv}`);
  }
  return { venue: new WebSocketVenue({ id: venueConfig.id, url: venueConfig.url, token: venueToken, clock, logger: logger.child({ component: 'venue', venue: venueConfig.id }) }) };
}

/** Cancels every working order and waits (bounded) for the venue to confirm, so none is left half-way. */
async function cancelOpenOrders(engine: Engine, clock: Clock, logger: Logger): Promise<void> {
  const working = engine.listOrders({ live: true });
  for (const order of working) {
    try {
      engine.cancelOrder(order.orderId);
    } catch (error) {
      logger.warn({ orderId: order.orderId, err: error }, `could not cancel ${order.orderId} at shutdown: ${(error as Error).message}`);
    }
  }
  const deadline = clock.now() + CANCEL_CONFIRM_TIMEOUT_MS;
  while (engine.listOrders({ status: 'pendingCancel' }).length > 0 && clock.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const unconfirmed = engine.listOrders({ status: 'pendingCancel' }).map((order) => order.orderId);
  logger.info({ canceled: working.length - unconfirmed.length, unconfirmed }, `canceled ${working.length - unconfirmed.length} resting order(s) at shutdown${unconfirmed.length > 0 ? `; ${unconfirmed.length} not confirmed by the venue` : ''}`);
}

/** Places each locally held trailing stop at the venue as a native stop, where the venue can hold one. */
async function handStopsToVenue(engine: Engine, logger: Logger): Promise<void> {
  try {
    const report = await engine.handStopsToVenue();
    if (report.handedOver.length > 0) {
      logger.info({ handedOver: report.handedOver }, `handed ${report.handedOver.length} trailing stop(s) to the venue as native stops: ${report.handedOver.map((stop) => `${stop.positionId} ${stop.symbol} stop ${stop.stopPrice}`).join(', ')}`);
    }
  } catch (error) {
    logger.error({ err: error }, `could not hand the local stops to the venue at shutdown: ${(error as Error).message}`);
  }
}

/**
 * Positions left open with no stop the venue holds: nothing protects them while the daemon is down. Said at
 * shutdown, by position and with the reason, so an operator can act.
 */
function reportUnprotectedPositions(engine: Engine, logger: Logger): void {
  const unprotected = engine.unprotectedPositions();
  if (unprotected.length === 0) {
    logger.info('no open position is left with a stop held only by this daemon');
    return;
  }
  logger.warn(
    { unprotected },
    `${unprotected.length} open position(s) left UNPROTECTED while the daemon is down (no stop at the venue): ${unprotected.map((entry) => `${entry.positionId} ${entry.symbol} stop ${entry.stopPrice ?? 'none'} (${entry.reason})`).join(', ')}`,
  );
}
