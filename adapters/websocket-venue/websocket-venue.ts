// WebSocketVenue: the Venue contract over a WebSocket to a venue server, driven by the venue-connection
// statechart. Heartbeats catch silently dead streams; reconnects resume reports after the last sequence seen.
import { randomUUID } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import type { Actor } from 'xstate';
import { createInstrument, type Instrument } from '../../src/domain/instrument.ts';
import type { MarketDataListener } from '../../src/domain/market-data.ts';
import { SystemClock, type Clock, type TimerHandle } from '../../src/domain/clock.ts';
import type { venueConnectionMachine, VenueConnectionContext, VenueConnectionStateName } from '../../machines/venue-connection.ts';
import type {
  Balance,
  ExecutionReport,
  ExecutionReportListener,
  OrderAmendment,
  Venue,
  VenueCapabilities,
  VenueFill,
  VenueOrder,
  VenueOrderStatus,
} from '../venue.ts';
import { VenueLink } from './venue-link.ts';
import {
  AUTHORIZATION_HEADER,
  PROTOCOL_VERSION,
  marketDataFromWire,
  type ClientMessage,
  type QueryResult,
  type SequencedVenueFill,
  type ServerMessage,
  type VenueAdminState,
  type WelcomeMessage,
} from './protocol.ts';

export interface WebSocketVenueOptions {
  /** The venue id this client expects; the server's welcome must name the same venue. */
  readonly id: string;
  /** ws://127.0.0.1:port of the venue server. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  readonly token: string;
  /** Timers (heartbeats, retries, request timeouts) and time stamps; default SystemClock. */
  readonly clock?: Clock;
  /** How often to ping the server; default 5000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** No pong for this long means the stream is dead, even if the socket looks open; default 3 intervals. */
  readonly heartbeatTimeoutMs?: number;
  /** A query without an answer for this long fails; default 10000 ms. Also the opening handshake's limit. */
  readonly requestTimeoutMs?: number;
  /** Consecutive failed attempts before the connection gives up and is `down`; default 20. */
  readonly maxReconnectAttempts?: number;
  /** Backoff: first delay, doubling per failed attempt up to the maximum, with jitter; defaults 250 and 30000 ms. */
  readonly initialRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /**
   * Where the first connection resumes the report stream: after this sequence (a daemon that stored the last
   * sequence it processed passes it here). Default: from the moment of connecting.
   */
  readonly resumeAfterSequence?: number;
  /**
   * The venue server instance `resumeAfterSequence` belongs to (see `venueInstance()`); a server of another
   * instance is refused rather than resumed. Default: whichever instance answers first.
   */
  readonly venueInstance?: string;
  /** Uniform numbers in [0, 1) for the backoff jitter; default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface VenueConnectionStatus {
  readonly state: VenueConnectionStateName;
  /** Attempts failed since the link was last live. */
  readonly failedAttempts: number;
  /** Next attempt's clock time while reconnecting. */
  readonly retryAt: number | undefined;
  readonly lastError: string | undefined;
}

export type VenueConnectionListener = (status: VenueConnectionStatus) => void;

type CommandBody =
  | { readonly type: 'submit'; readonly order: VenueOrder }
  | { readonly type: 'amend'; readonly clientOrderId: string; readonly amendment: OrderAmendment }
  | { readonly type: 'cancel'; readonly clientOrderId: string };

/** A command sent on the link and not yet acknowledged: its outcome is unknown if the link drops now. */
interface SentCommand {
  readonly body: CommandBody;
  /** Last report sequence seen when it was sent: reports after it may be its outcome. */
  readonly sentAfterSequence: number;
}

type QueryBody = Extract<ClientMessage, { type: 'query' }> extends infer Q ? (Q extends unknown ? Omit<Q, 'id'> : never) : never;

interface PendingQuery {
  readonly body: QueryBody;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
  /** Reconciliation's own queries: sent while syncing and dropped (not retried) when the link drops. */
  readonly internal: boolean;
}

interface MarketSubscription {
  readonly symbols: ReadonlySet<string>;
  readonly listener: MarketDataListener;
}

export class WebSocketVenueError extends Error {
  override readonly name = 'WebSocketVenueError';
}

const WORKING_STATUSES: ReadonlySet<string> = new Set(['open', 'partial']);

export class WebSocketVenue implements Venue {
  readonly id: string;
  private readonly options: WebSocketVenueOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly random: () => number;
  private readonly session = randomUUID();
  private readonly link: VenueLink;

  private welcome: WelcomeMessage | undefined;
  private instrumentList: readonly Instrument[] = [];
  private lastSequence: number | undefined;
  private socket: WebSocket | undefined;
  /** Bumped whenever a socket is retired, so late events from it are ignored. */
  private generation = 0;
  private heartbeatTimer: TimerHandle | undefined;
  private lastPongAt = 0;
  private nextRequestId = 1;

  /** Commands waiting for a live link, in call order. */
  private queue: CommandBody[] = [];
  private readonly unacknowledged = new Map<number, SentCommand>();
  /** Commands whose outcome became unknown when a link dropped; reconciled by status queries on resync. */
  private ambiguous: SentCommand[] = [];
  private readonly queries = new Map<number, PendingQuery>();
  private waitingQueries: Array<{ id: number; query: PendingQuery }> = [];
  /** Last sequence of an amend outcome per order, to tell whether an unacknowledged amend was answered. */
  private readonly amendOutcomes = new Map<string, number>();

  private readonly reportListeners = new Set<ExecutionReportListener>();
  private readonly marketSubscriptions = new Set<MarketSubscription>();
  private readonly connectionListeners = new Set<VenueConnectionListener>();

  constructor(options: WebSocketVenueOptions) {
    if (!options.id) throw new WebSocketVenueError('a WebSocket venue needs the id of the venue it expects');
    if (!/^wss?:\/\//.test(options.url)) throw new WebSocketVenueError(`venue url must start with ws:// or wss://, got ${JSON.stringify(options.url)}`);
    if (!options.token) throw new WebSocketVenueError('a WebSocket venue needs a token');
    this.id = options.id;
    this.options = options;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'warn', base: { component: 'websocket-venue', venue: options.id } }, pino.destination({ fd: 2, sync: true }));
    this.heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 5_000);
    this.heartbeatTimeoutMs = positive('heartbeatTimeoutMs', options.heartbeatTimeoutMs ?? this.heartbeatIntervalMs * 3);
    this.requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000);
    this.random = options.random ?? Math.random;
    if (options.resumeAfterSequence !== undefined && !(Number.isSafeInteger(options.resumeAfterSequence) && options.resumeAfterSequence >= 0)) {
      throw new WebSocketVenueError(`resumeAfterSequence must be a whole number, got ${options.resumeAfterSequence}`);
    }
    const maxReconnectAttempts = options.maxReconnectAttempts;
    if (maxReconnectAttempts !== undefined && !(maxReconnectAttempts >= 1)) {
      throw new WebSocketVenueError(`maxReconnectAttempts must be at least 1, got ${maxReconnectAttempts}`);
    }

    this.link = new VenueLink({
      venueId: options.id,
      clock: this.clock,
      logger: this.logger,
      input: { maxReconnectAttempts, initialRetryDelayMs: options.initialRetryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs },
      effects: { openSocket: () => this.openSocket(), closeSocket: () => this.retireSocket(), sendHello: () => this.sendHello() },
      downError: (message) => new WebSocketVenueError(message),
    });
    this.link.onChange((state, context) => this.onStateChange(state, context));
  }

  // ----- Venue contract -----

  get capabilities(): VenueCapabilities {
    if (this.welcome === undefined) throw new WebSocketVenueError(`venue ${this.id}: capabilities are known once connect() has resolved`);
    return this.welcome.capabilities;
  }

  instruments(): readonly Instrument[] {
    if (this.welcome === undefined) throw new WebSocketVenueError(`venue ${this.id}: instruments are known once connect() has resolved`);
    return this.instrumentList;
  }

  /** Resolves when the link is live and synced; rejects if the connection ends `down` (refused or out of attempts). */
  connect(): Promise<void> {
    // From reconnecting, an explicit connect tries now instead of waiting out the backoff.
    return this.link.connect();
  }

  /**
   * Closes the link and stays `down` until connect() is called again. Queries in flight fail; commands not
   * yet sent stay queued for the next connect, and unacknowledged ones are reconciled then.
   */
  disconnect(): Promise<void> {
    this.link.disconnect();
    return Promise.resolve();
  }

  submit(order: VenueOrder): void {
    this.command({ type: 'submit', order: { ...order } });
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    this.command({ type: 'amend', clientOrderId, amendment: { ...amendment } });
  }

  cancel(clientOrderId: string): void {
    this.command({ type: 'cancel', clientOrderId });
  }

  async queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    return (await this.query({ type: 'query', query: 'order', clientOrderId })) ?? undefined;
  }

  /** Every fill of one order, oldest first (recovery applies the ones it missed, deduplicated by tradeId). */
  orderFills(clientOrderId: string): Promise<readonly VenueFill[]> {
    return this.query({ type: 'query', query: 'orderFills', clientOrderId });
  }

  openOrders(): Promise<readonly VenueOrderStatus[]> {
    return this.query({ type: 'query', query: 'openOrders' });
  }

  balances(): Promise<readonly Balance[]> {
    return this.query({ type: 'query', query: 'balances' });
  }

  onExecutionReport(listener: ExecutionReportListener): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    const subscription: MarketSubscription = { symbols: new Set(symbols), listener };
    this.marketSubscriptions.add(subscription);
    if (this.link.state === 'live' || this.link.state === 'syncing') this.send({ type: 'subscribe', symbols: [...subscription.symbols] });
    return () => this.marketSubscriptions.delete(subscription);
  }

  // ----- beyond the contract -----

  /** Every fill the venue booked after report `afterSequence`, for reconciliation after a restart. */
  fillsSince(afterSequence: number): Promise<readonly SequencedVenueFill[]> {
    return this.query({ type: 'query', query: 'fillsSince', afterSequence });
  }

  /** The venue's whole truth: orders, fills, balances, submit counts per clientOrderId. */
  adminState(): Promise<VenueAdminState> {
    return this.query({ type: 'query', query: 'admin' });
  }

  /** The venue server instance this client is synced with (store it beside `lastReportSequence()`). */
  venueInstance(): string | undefined {
    return this.welcome?.instance;
  }

  /**
   * Sequence of the last execution report delivered to listeners; already updated when a listener runs,
   * so a listener may store it with the report to resume after a restart.
   */
  lastReportSequence(): number | undefined {
    return this.lastSequence;
  }

  /** The connection statechart's actor, for inspectors (`connection.system.inspect(...)`) and tests. */
  get connection(): Actor<typeof venueConnectionMachine> {
    return this.link.actor;
  }

  connectionState(): VenueConnectionStateName {
    return this.link.state;
  }

  connectionStatus(): VenueConnectionStatus {
    return statusOf(this.link.state, this.link.context);
  }

  /** Called on every state change with the new status; returns an unsubscribe function. */
  onConnectionState(listener: VenueConnectionListener): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Commands not yet sent plus commands sent whose outcome is still unknown. */
  pendingCommandCount(): number {
    return this.queue.length + this.unacknowledged.size + this.ambiguous.length;
  }

  // ----- commands and queries -----

  private command(body: CommandBody): void {
    if (this.link.state === 'live') return this.sendCommand(body);
    this.queue.push(body);
    if (this.link.state === 'down') {
      this.logger.warn({ command: body.type }, `venue ${this.id} is down: ${body.type} queued until connect()`);
    }
  }

  private sendCommand(body: CommandBody): void {
    const id = this.nextRequestId++;
    this.unacknowledged.set(id, { body, sentAfterSequence: this.lastSequence ?? 0 });
    this.send(Object.assign({ id }, body) as ClientMessage);
  }

  private query<Name extends keyof QueryResult>(body: QueryBody & { query: Name }, internal = false): Promise<QueryResult[Name]> {
    if (this.link.state === 'down' && !internal) {
      const reason = this.link.context.lastError;
      return Promise.reject(new WebSocketVenueError(`venue ${this.id} is down${reason ? ` (${reason})` : ''}: call connect() first`));
    }
    return new Promise((resolve, reject) => {
      const id = this.nextRequestId++;
      const timer = this.clock.setTimeout(() => {
        this.queries.delete(id);
        this.waitingQueries = this.waitingQueries.filter((waiting) => waiting.id !== id);
        reject(new WebSocketVenueError(`venue ${this.id}: ${body.query} query got no answer within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      const pending: PendingQuery = { body, resolve: resolve as (result: unknown) => void, reject, timer, internal };
      if (internal || this.link.state === 'live') {
        this.queries.set(id, pending);
        this.send(Object.assign({ id }, body) as ClientMessage);
      } else {
        this.waitingQueries.push({ id, query: pending });
      }
    });
  }

  private send(message: ClientMessage): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(message));
  }

  // ----- the link -----

  private openSocket(): void {
    const generation = ++this.generation;
    let closeReason: string | undefined;
    const socket = new WebSocket(this.options.url, {
      headers: { [AUTHORIZATION_HEADER]: `Bearer ${this.options.token}` },
      handshakeTimeout: this.requestTimeoutMs,
      maxPayload: 64 * 1024 * 1024,
    });
    this.socket = socket;
    const current = () => generation === this.generation;
    socket.on('open', () => {
      if (!current()) return;
      this.lastPongAt = this.clock.now();
      this.armHeartbeat(generation);
      this.link.send({ type: 'socket.opened' });
    });
    socket.on('message', (data) => {
      if (current()) this.receive(data.toString());
    });
    socket.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
      request.destroy();
      if (!current()) return;
      this.retireSocket();
      const status = response.statusCode ?? 0;
      if (status === 401 || status === 403) {
        this.link.send({ type: 'link.refused', reason: `venue server ${this.options.url} refused the token (HTTP ${status})` });
      } else {
        this.linkLost(`venue server answered HTTP ${status} to the upgrade`);
      }
    });
    socket.on('error', (error) => {
      closeReason = error.message;
    });
    socket.on('close', (code, reason) => {
      if (!current()) return;
      this.retireSocket();
      this.linkLost(closeReason ?? `socket closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`);
    });
  }

  private linkLost(reason: string): void {
    this.link.send({ type: 'socket.closed', reason, at: this.clock.now(), jitter: this.random() });
  }

  /**
   * Drops the current socket for good: its late events are ignored, unacknowledged commands become
   * ambiguous (to be reconciled, never blindly resent), and user queries wait for the next live link.
   */
  private retireSocket(): void {
    this.generation++;
    const socket = this.socket;
    this.socket = undefined;
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (socket !== undefined) {
      socket.removeAllListeners('message');
      socket.on('error', () => {});
      socket.terminate();
    }
    const unacknowledged = [...this.unacknowledged.entries()].sort(([a], [b]) => a - b).map(([, sent]) => sent);
    this.unacknowledged.clear();
    this.ambiguous.push(...unacknowledged);
    for (const [id, pending] of this.queries) {
      if (pending.internal) {
        this.clock.clearTimeout(pending.timer);
        pending.reject(new WebSocketVenueError(`venue ${this.id}: link lost during reconciliation`));
      } else {
        this.waitingQueries.push({ id, query: pending });
      }
    }
    this.queries.clear();
  }

  private armHeartbeat(generation: number): void {
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      if (generation !== this.generation) return;
      if (this.clock.now() - this.lastPongAt <= this.heartbeatTimeoutMs) return this.ping(generation);
      // After our own event loop was blocked, timers run before pending socket reads: read those first, so
      // a pong already waiting in the socket is not mistaken for a dead stream.
      setImmediate(() => {
        if (generation !== this.generation) return;
        const now = this.clock.now();
        if (now - this.lastPongAt <= this.heartbeatTimeoutMs) return this.ping(generation);
        this.logger.warn(`venue ${this.id}: no pong for ${now - this.lastPongAt} ms, the stream is dead; reconnecting`);
        this.link.send({ type: 'heartbeat.missed', at: now, jitter: this.random() });
      });
    }, this.heartbeatIntervalMs);
  }

  private ping(generation: number): void {
    this.send({ type: 'ping', at: this.clock.now() });
    this.armHeartbeat(generation);
  }

  private sendHello(): void {
    const resumeAfter = this.lastSequence ?? this.options.resumeAfterSequence ?? null;
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, session: this.session, resumeAfter });
  }

  private receive(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.logger.error(`venue ${this.id}: a message that is not JSON; dropping the link`);
      this.retireSocket();
      this.linkLost('the server sent a message that is not JSON');
      return;
    }
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'report':
        return this.onReport(message.sequence, message.report);
      case 'resumed':
        return void this.resync(this.generation);
      case 'ack':
        this.unacknowledged.delete(message.id);
        return;
      case 'result': {
        const pending = this.queries.get(message.id);
        if (pending === undefined) return;
        this.queries.delete(message.id);
        this.clock.clearTimeout(pending.timer);
        pending.resolve(message.result);
        return;
      }
      case 'error':
        return this.onServerError(message.id, message.message, message.fatal === true);
      case 'market': {
        const data = marketDataFromWire(message.data);
        for (const subscription of this.marketSubscriptions) {
          if (subscription.symbols.has(data.symbol)) subscription.listener(data);
        }
        return;
      }
      case 'ping':
        return this.send({ type: 'pong', at: message.at });
      case 'pong':
        this.lastPongAt = this.clock.now();
        return;
      default:
        this.logger.warn({ type: (message as { type?: unknown }).type }, `venue ${this.id}: unknown message type`);
    }
  }

  private onWelcome(message: WelcomeMessage): void {
    if (message.venue !== this.id) {
      this.link.send({ type: 'link.refused', reason: `the server at ${this.options.url} is venue "${message.venue}", not "${this.id}"` });
      return;
    }
    const knownInstance = this.welcome?.instance ?? this.options.venueInstance;
    if (knownInstance !== undefined && message.instance !== knownInstance) {
      this.link.send({
        type: 'link.refused',
        reason: `venue ${this.id} restarted (instance ${message.instance}, was ${knownInstance}): its orders and reports are not the ones this client knew`,
      });
      return;
    }
    if (this.welcome === undefined) {
      this.instrumentList = message.instruments.map((spec) => createInstrument(spec));
    }
    this.welcome = message;
    // A client with nothing to resume from starts at the server's present.
    this.lastSequence ??= this.options.resumeAfterSequence ?? message.lastSequence;
  }

  private onReport(sequence: number, report: ExecutionReport): void {
    const last = this.lastSequence ?? 0;
    if (sequence <= last) return; // already delivered: exactly once
    if (sequence !== last + 1) {
      this.logger.error(`venue ${this.id}: report ${sequence} arrived after ${last}; resyncing to fetch the gap`);
      this.retireSocket();
      this.linkLost(`report sequence gap: ${last} then ${sequence}`);
      return;
    }
    this.lastSequence = sequence;
    if (report.type === 'amended' || report.type === 'amendRejected') this.amendOutcomes.set(report.clientOrderId, sequence);
    this.deliver(report);
  }

  private deliver(report: ExecutionReport): void {
    for (const listener of this.reportListeners) {
      try {
        listener(report);
      } catch (error) {
        this.logger.error({ err: error, report }, `venue ${this.id}: an execution report listener threw`);
      }
    }
  }

  private onServerError(id: number | null, text: string, fatal: boolean): void {
    if (fatal) {
      this.link.send({ type: 'link.refused', reason: `venue server: ${text}` });
      return;
    }
    if (id === null) {
      this.logger.error(`venue ${this.id}: server error: ${text}`);
      return;
    }
    const pending = this.queries.get(id);
    if (pending !== undefined) {
      this.queries.delete(id);
      this.clock.clearTimeout(pending.timer);
      pending.reject(new WebSocketVenueError(`venue ${this.id}: ${pending.body.query} query refused: ${text}`));
      return;
    }
    const sent = this.unacknowledged.get(id);
    if (sent === undefined) return;
    this.unacknowledged.delete(id);
    // The server refused the message itself, so the venue never saw it: a definite answer, not an ambiguous one.
    const base = { venue: this.id, timestamp: this.clock.now(), reason: `venue server refused the ${sent.body.type}: ${text}` };
    if (sent.body.type === 'submit') this.deliver({ ...base, type: 'rejected', clientOrderId: sent.body.order.clientOrderId });
    else if (sent.body.type === 'cancel') this.deliver({ ...base, type: 'cancelRejected', clientOrderId: sent.body.clientOrderId });
    else this.deliver({ ...base, type: 'amendRejected', clientOrderId: sent.body.clientOrderId });
  }

  /**
   * After the missed reports are in: find out what became of each command whose outcome was unknown,
   * resend only those the venue shows it never got, then send the queue and re-subscribe market data.
   */
  private async resync(generation: number): Promise<void> {
    const resend: CommandBody[] = [];
    try {
      for (const sent of this.ambiguous) {
        const clientOrderId = sent.body.type === 'submit' ? sent.body.order.clientOrderId : sent.body.clientOrderId;
        const status = await this.query({ type: 'query', query: 'order', clientOrderId }, true);
        if (generation !== this.generation) return;
        if (this.needsResend(sent, status)) resend.push(sent.body);
        this.logger.warn(
          { clientOrderId, command: sent.body.type, venueStatus: status?.status ?? 'unknown' },
          `venue ${this.id}: ${sent.body.type} ${clientOrderId} was unacknowledged when the link dropped; ` +
            (this.needsResend(sent, status) ? 'the venue never got it, sending it now' : 'the venue has it, not resent'),
        );
      }
    } catch (error) {
      // The link dropped again mid-reconciliation: everything stays ambiguous for the next attempt.
      if (generation === this.generation) this.logger.warn({ err: error }, `venue ${this.id}: reconciliation interrupted`);
      return;
    }
    if (generation !== this.generation) return;
    this.ambiguous = [];
    const queued = [...resend, ...this.queue];
    this.queue = [];
    for (const body of queued) this.sendCommand(body);
    const symbols = new Set<string>();
    for (const subscription of this.marketSubscriptions) for (const symbol of subscription.symbols) symbols.add(symbol);
    if (symbols.size > 0) this.send({ type: 'subscribe', symbols: [...symbols] });
    this.link.send({ type: 'synced' });
  }

  private needsResend(sent: SentCommand, status: VenueOrderStatus | null): boolean {
    const body = sent.body;
    if (body.type === 'submit') return status === null;
    const working = status !== null && WORKING_STATUSES.has(status.status);
    if (body.type === 'cancel') return working;
    // An amend is answered by amended or amendRejected; with no answer since it was sent, it never arrived.
    return working && (this.amendOutcomes.get(body.clientOrderId) ?? 0) <= sent.sentAfterSequence;
  }

  /** After the link settled connect() waiters: queries held for a live link are sent, or failed when it is down. */
  private onStateChange(state: VenueConnectionStateName, context: VenueConnectionContext): void {
    if (state === 'live') {
      const waiting = this.waitingQueries.splice(0);
      for (const { id, query } of waiting) {
        this.queries.set(id, query);
        this.send(Object.assign({ id }, query.body) as ClientMessage);
      }
    } else if (state === 'down') {
      const error = new WebSocketVenueError(`venue ${this.id} is down${context.lastError ? `: ${context.lastError}` : ''}`);
      for (const { query } of this.waitingQueries.splice(0)) {
        this.clock.clearTimeout(query.timer);
        query.reject(error);
      }
    }
    const status = statusOf(state, context);
    for (const listener of this.connectionListeners) {
      try {
        listener(status);
      } catch (error) {
        this.logger.error({ err: error }, `venue ${this.id}: a connection-state listener threw`);
      }
    }
  }
}

function statusOf(state: VenueConnectionStateName, context: VenueConnectionContext): VenueConnectionStatus {
  return { state, failedAttempts: context.failedAttempts, retryAt: context.retryAt, lastError: context.lastError };
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new WebSocketVenueError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
