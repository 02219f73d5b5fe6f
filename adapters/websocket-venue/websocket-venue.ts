// WebSocketVenue: the Venue contract over a WebSocket to a venue server, driven by the venue-connection
// statechart. Heartbeats catch silently dead streams; reconnects resume reports after the last sequence seen.
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Actor } from 'xstate';
import { createInstrument, type Instrument } from '../../src/domain/instrument.ts';
import type { MarketDataListener } from '../../src/domain/market-data.ts';
import { SystemClock, type Clock } from '../../src/domain/clock.ts';
import type { venueConnectionMachine, VenueConnectionContext, VenueConnectionStateName } from '../../machines/venue-connection.ts';
import { orderListRefusal } from '../paper/order-list-refusal.ts';
import type { Balance, ExecutionReport, ExecutionReportListener, OrderAmendment, Venue, VenueCapabilities, VenueFill, VenueOrder, VenueOrderList, VenueOrderStatus } from '../venue.ts';
import { CommandLedger, refusalReports, type CommandBody } from './command-ledger.ts';
import { Heartbeat } from './heartbeat.ts';
import { PendingQueries, type QueryBody } from './pending-queries.ts';
import { MarketSubscriptions } from './market-subscriptions.ts';
import { VenueLink } from './venue-link.ts';
import { VenueSocket } from './venue-socket.ts';
import { welcomeRefusal } from './welcome-check.ts';
import { PROTOCOL_VERSION, marketDataFromWire, type ClientMessage, type QueryResult, type SequencedVenueFill, type ServerMessage, type VenueAdminState, type WelcomeMessage } from './protocol.ts';
import { WebSocketVenueError, connectionStatus, websocketVenueSettings, type VenueConnectionListener, type VenueConnectionStatus, type WebSocketVenueOptions } from './websocket-venue-options.ts';

export { WebSocketVenueError, type VenueConnectionListener, type VenueConnectionStatus, type WebSocketVenueOptions } from './websocket-venue-options.ts';

export class WebSocketVenue implements Venue {
  readonly id: string;
  private readonly options: WebSocketVenueOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly session = randomUUID();
  private readonly link: VenueLink;
  private readonly heartbeat: Heartbeat;
  private readonly commands = new CommandLedger();
  private readonly queries: PendingQueries;

  private welcome: WelcomeMessage | undefined;
  private instrumentList: readonly Instrument[] = [];
  private lastSequence: number | undefined;
  private readonly socket: VenueSocket;
  private nextRequestId = 1;

  private readonly reportListeners = new Set<ExecutionReportListener>();
  private readonly marketSubscriptions = new MarketSubscriptions();
  private readonly connectionListeners = new Set<VenueConnectionListener>();

  constructor(options: WebSocketVenueOptions) {
    const settings = websocketVenueSettings(options);
    this.id = options.id;
    this.options = options;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'warn', base: { component: 'websocket-venue', venue: options.id } }, pino.destination({ fd: 2, sync: true }));
    this.random = options.random ?? Math.random;
    this.heartbeat = new Heartbeat({
      venueId: options.id,
      clock: this.clock,
      logger: this.logger,
      intervalMs: settings.heartbeatIntervalMs,
      timeoutMs: settings.heartbeatTimeoutMs,
      ping: () => this.send({ type: 'ping', at: this.clock.now() }),
      missed: (at) => this.link.send({ type: 'heartbeat.missed', at, jitter: this.random() }),
    });
    this.queries = new PendingQueries({
      venueId: options.id,
      clock: this.clock,
      timeoutMs: settings.requestTimeoutMs,
      send: (id, body) => this.send(Object.assign({ id }, body) as ClientMessage),
    });
    this.socket = new VenueSocket({
      url: options.url,
      token: options.token,
      handshakeTimeoutMs: settings.requestTimeoutMs,
      opened: () => {
        this.heartbeat.start();
        this.link.send({ type: 'socket.opened' });
      },
      message: (text) => this.receive(text),
      upgradeRefused: (status) => {
        this.retireSocket();
        if (status === 401 || status === 403) {
          this.link.send({ type: 'link.refused', reason: `venue server ${options.url} refused the token (HTTP ${status})` });
        } else {
          this.linkLost(`venue server answered HTTP ${status} to the upgrade`);
        }
      },
      closed: (reason) => {
        this.retireSocket();
        this.linkLost(reason);
      },
    });
    this.link = new VenueLink({
      venueId: options.id,
      clock: this.clock,
      logger: this.logger,
      input: { maxReconnectAttempts: settings.maxReconnectAttempts, initialRetryDelayMs: options.initialRetryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs },
      effects: { openSocket: () => this.socket.open(), closeSocket: () => this.retireSocket(), sendHello: () => this.sendHello() },
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

  /** Why the venue cannot hold `list` as one OCO: the paper venue's own rule, on the capabilities announced. */
  orderListRefusal(list: VenueOrderList): string | undefined {
    if (this.welcome === undefined) return `venue ${this.id}: what it holds is known once connect() has resolved`;
    return orderListRefusal(list, { id: this.id, capabilities: this.welcome.capabilities });
  }

  /** Every leg in one command, queued and reconciled like a submit: the venue gets the list once and whole. */
  submitList(list: VenueOrderList): void {
    this.command({ type: 'submitList', list: { ...list, orders: list.orders.map((order) => ({ ...order })) } });
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
    const unsubscribe = this.marketSubscriptions.add(symbols, listener);
    if (this.link.state === 'live' || this.link.state === 'syncing') this.send({ type: 'subscribe', symbols: [...new Set(symbols)] });
    return unsubscribe;
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
    return connectionStatus(this.link.state, this.link.context);
  }

  /** Called on every state change with the new status; returns an unsubscribe function. */
  onConnectionState(listener: VenueConnectionListener): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Commands not yet sent plus commands sent whose outcome is still unknown. */
  pendingCommandCount(): number {
    return this.commands.pendingCount();
  }

  // ----- commands and queries -----

  private command(body: CommandBody): void {
    if (this.link.state === 'live') return this.sendCommand(body);
    this.commands.enqueue(body);
    if (this.link.state === 'down') {
      this.logger.warn({ command: body.type }, `venue ${this.id} is down: ${body.type} queued until connect()`);
    }
  }

  private sendCommand(body: CommandBody): void {
    const id = this.nextRequestId++;
    this.commands.sent(id, body, this.lastSequence ?? 0);
    this.send(Object.assign({ id }, body) as ClientMessage);
  }

  private query<Name extends keyof QueryResult>(body: QueryBody & { query: Name }, internal = false): Promise<QueryResult[Name]> {
    if (this.link.state === 'down' && !internal) {
      const reason = this.link.context.lastError;
      return Promise.reject(new WebSocketVenueError(`venue ${this.id} is down${reason ? ` (${reason})` : ''}: call connect() first`));
    }
    const sendNow = internal || this.link.state === 'live';
    return this.queries.ask(this.nextRequestId++, body, internal, sendNow) as Promise<QueryResult[Name]>;
  }

  private send(message: ClientMessage): void {
    this.socket.send(message);
  }

  // ----- the link -----

  private linkLost(reason: string): void {
    this.link.send({ type: 'socket.closed', reason, at: this.clock.now(), jitter: this.random() });
  }

  /**
   * Drops the current socket for good: its late events are ignored, unacknowledged commands become
   * ambiguous (to be reconciled, never blindly resent), and user queries wait for the next live link.
   */
  private retireSocket(): void {
    this.socket.retire();
    this.heartbeat.stop();
    this.commands.linkLost();
    this.queries.linkLost();
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
        return void this.resync(this.socket.generation);
      case 'ack':
        return this.commands.acknowledged(message.id);
      case 'result':
        this.queries.answered(message.id, message.result);
        return;
      case 'error':
        return this.onServerError(message.id, message.message, message.fatal === true);
      case 'market':
        return this.marketSubscriptions.publish(marketDataFromWire(message.data));
      case 'ping':
        return this.send({ type: 'pong', at: message.at });
      case 'pong':
        return this.heartbeat.pong();
      default:
        this.logger.warn({ type: (message as { type?: unknown }).type }, `venue ${this.id}: unknown message type`);
    }
  }

  private onWelcome(message: WelcomeMessage): void {
    const refusal = welcomeRefusal(message, { venueId: this.id, url: this.options.url, knownInstance: this.welcome?.instance ?? this.options.venueInstance });
    if (refusal !== undefined) return void this.link.send({ type: 'link.refused', reason: refusal });
    if (this.welcome === undefined) this.instrumentList = message.instruments.map((spec) => createInstrument(spec));
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
    this.commands.reported(sequence, report);
    this.deliver(report);
  }

  private deliver(report: ExecutionReport): void {
    this.notify(this.reportListeners, report, 'an execution report listener', { report });
  }

  /** Calls every listener with `value`; one that throws is logged and does not stop the others. */
  private notify<Value>(listeners: Iterable<(value: Value) => void>, value: Value, what: string, context: object = {}): void {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        this.logger.error({ err: error, ...context }, `venue ${this.id}: ${what} threw`);
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
    if (this.queries.refused(id, text)) return;
    const sent = this.commands.refused(id);
    if (sent === undefined) return;
    // The server refused the message itself, so the venue never saw it: a definite answer, not an ambiguous one.
    const base = { venue: this.id, timestamp: this.clock.now(), reason: `venue server refused the ${sent.body.type}: ${text}` };
    for (const report of refusalReports(sent.body, base)) this.deliver(report);
  }

  /**
   * After the missed reports are in: find out what became of each command whose outcome was unknown,
   * resend only those the venue shows it never got, then send the queue and re-subscribe market data.
   */
  private async resync(generation: number): Promise<void> {
    let resend: CommandBody[] | undefined;
    try {
      const orderStatus = (clientOrderId: string) => this.query({ type: 'query', query: 'order', clientOrderId }, true);
      resend = await this.commands.reconcile(orderStatus, () => generation === this.socket.generation, this.logger, this.id);
    } catch (error) {
      // The link dropped again mid-reconciliation: everything stays ambiguous for the next attempt.
      if (generation === this.socket.generation) this.logger.warn({ err: error }, `venue ${this.id}: reconciliation interrupted`);
      return;
    }
    if (resend === undefined || generation !== this.socket.generation) return;
    for (const body of this.commands.settle(resend)) this.sendCommand(body);
    const symbols = this.marketSubscriptions.symbols();
    if (symbols.length > 0) this.send({ type: 'subscribe', symbols });
    this.link.send({ type: 'synced' });
  }

  /** After the link settled connect() waiters: queries held for a live link are sent, or failed when it is down. */
  private onStateChange(state: VenueConnectionStateName, context: VenueConnectionContext): void {
    if (state === 'live') {
      this.queries.sendWaiting();
    } else if (state === 'down') {
      this.queries.failWaiting(new WebSocketVenueError(`venue ${this.id} is down${context.lastError ? `: ${context.lastError}` : ''}`));
    }
    this.notify(this.connectionListeners, connectionStatus(state, context), 'a connection-state listener');
  }
}
