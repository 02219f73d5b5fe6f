// The ccxt venue's user data stream: dialled through the venue-connection chart (markets loaded once, the
// exchange's clock taken, the stream authenticated, watchOrders / watchMyTrades / futures account loops
// started), resynced by REST after every open, watched for silence (a quiet stream is checked by REST
// backfill and redialled if it missed something), and its messages turned into reports.
import type { UrlOverride } from './profile.ts';
import type { AccountReporter } from './account-reports.ts';
import { CcxtVenueError, UnreachableError } from './errors.ts';
import { sameTerms, type OrderWrites, type VenueCore } from './order-writes.ts';
import type { TimerHandle } from '../../src/domain/clock.ts';
import type { VenueLink } from '../websocket-venue/venue-link.ts';

/** What the stream needs of its venue. */
export interface UserStreamHost {
  readonly core: VenueCore;
  readonly link: VenueLink;
  readonly account: AccountReporter;
  readonly writes: OrderWrites;
  readonly urls: UrlOverride | undefined;
  readonly quietBackfillMs: number;
  marketsLoaded(): boolean;
  loadInstruments(): Promise<void>;
  /** The REST backfill (one at a time); resolves with the reports the stream had not delivered. */
  backfill(): Promise<number>;
  runBackfill(): Promise<number>;
}

export class UserStream {
  /** Bumped whenever the stream is retired, so late results of its loops are ignored. */
  private generation = 0;
  private quietTimer: TimerHandle | undefined;
  private lastStreamMessageAt = 0;

  constructor(private readonly host: UserStreamHost) {}

  async open(): Promise<void> {
    const generation = ++this.generation;
    try {
      // ccxt dials ws:// (a loopback simulator, a local proxy) only with its plain HTTP agent loaded.
      if (this.host.urls?.ws.startsWith('ws://') === true) await this.host.core.exchange.loadHttpProxyAgent();
      if (!this.host.marketsLoaded()) await this.host.loadInstruments();
      await this.host.core.rest.syncTime();
      await this.host.core.rest.call('listenKey', 'read', () => this.host.core.profile.prepareUserStream(this.host.core.exchange));
      if (generation !== this.generation) return;
      this.startStreamLoops(generation);
      await this.host.core.profile.userStreamOpened(this.host.core.exchange);
      if (generation !== this.generation) return;
      this.lastStreamMessageAt = this.host.core.clock.now();
      this.host.link.send({ type: 'socket.opened' });
    } catch (error) {
      if (generation !== this.generation) return;
      const kind = this.host.core.profile.classifyError(error).kind;
      const reason = describe(error);
      // Refused for good: bad credentials, an unknown symbol, or an exchange never reached at all (a wrong
      // URL or an unreachable testnet says so at start instead of retrying for minutes).
      if (kind === 'credentials' || error instanceof CcxtVenueError || (!this.host.marketsLoaded() && error instanceof UnreachableError)) {
        this.host.link.send({ type: 'link.refused', reason });
        return;
      }
      this.generation++;
      void this.host.core.profile.closeUserStream(this.host.core.exchange).catch(() => {});
      this.host.link.send({ type: 'socket.closed', reason, at: this.host.core.clock.now(), jitter: Math.random() });
    }
  }

  private startStreamLoops(generation: number): void {
    void this.streamLoop(generation, 'orders', async () => {
      const orders = await this.host.core.exchange.watchOrders();
      for (const order of orders) this.onStreamOrder(order.info);
    });
    void this.streamLoop(generation, 'trades', async () => {
      const trades = await this.host.core.exchange.watchMyTrades();
      for (const trade of trades) this.onStreamFill(trade.info);
    });
    if (this.host.core.profile.market === 'future') {
      // Account messages (ACCOUNT_UPDATE): funding paid, positions moved. ccxt hands the raw message as `info`.
      void this.streamLoop(generation, 'account', async () => {
        const balance = (await this.host.core.exchange.watchBalance({ type: 'future' })) as { info?: unknown };
        this.host.account.onAccountMessage(balance.info);
      });
    }
  }

  private async streamLoop(generation: number, name: string, step: () => Promise<void>): Promise<void> {
    while (generation === this.generation) {
      try {
        await step();
        if (generation !== this.generation) return;
        this.lastStreamMessageAt = this.host.core.clock.now();
      } catch (error) {
        if (generation !== this.generation) return;
        this.host.core.logger.warn({ err: error }, `venue ${this.host.core.id}: user stream (${name}) lost: ${describe(error)}`);
        this.streamLost(`user stream lost: ${describe(error)}`, 'socket.closed');
        return;
      }
    }
  }

  /** The user stream died (socket closed) or is silently dead (backfill found what it missed): redial with backoff. */
  private streamLost(reason: string, how: 'socket.closed' | 'heartbeat.missed'): void {
    this.retire();
    const at = this.host.core.clock.now();
    if (how === 'socket.closed') this.host.link.send({ type: 'socket.closed', reason, at, jitter: Math.random() });
    else this.host.link.send({ type: 'heartbeat.missed', at, jitter: Math.random() });
  }

  retire(): void {
    this.generation++;
    this.stopQuietTimer();
    void this.host.core.profile.closeUserStream(this.host.core.exchange).catch(() => {});
  }

  /** After the stream is open: orders whose outcome is unknown are asked about, missed fills fetched, queued cancels sent. */
  async resync(): Promise<void> {
    const generation = this.generation;
    try {
      await this.host.runBackfill();
      await this.host.account.pollFunding();
      // Liquidations while the stream was down (the first look, at connect, only takes note). A list the
      // exchange will not give does not keep the link down: the positions it reports still show the close.
      await this.host.account.pollLiquidations().catch((error) => this.host.core.logger.warn({ err: error }, `venue ${this.host.core.id}: forced closes unavailable; looked for again at the next reconnect`));
    } catch (error) {
      if (generation !== this.generation) return;
      this.streamLost(`resync failed: ${describe(error)}`, 'socket.closed');
      return;
    }
    if (generation !== this.generation) return;
    this.host.link.send({ type: 'synced' });
  }

  armQuietTimer(): void {
    this.stopQuietTimer();
    const generation = this.generation;
    this.quietTimer = this.host.core.clock.setTimeout(() => {
      this.quietTimer = undefined;
      if (generation !== this.generation || this.host.link.state !== 'live') return;
      const quietFor = this.host.core.clock.now() - this.lastStreamMessageAt;
      if (quietFor < this.host.quietBackfillMs) return this.armQuietTimer();
      void this.host.backfill()
        .then((missed) => {
          if (generation !== this.generation) return;
          if (missed > 0) {
            this.host.core.logger.warn({ missed }, `venue ${this.host.core.id}: the user stream was quiet and REST found ${missed} update(s) it never delivered; redialling it`);
            this.streamLost(`the user stream went silent: ${missed} update(s) found only by REST backfill`, 'heartbeat.missed');
          } else {
            this.lastStreamMessageAt = this.host.core.clock.now();
            void this.host.account.pollFunding().catch(() => {});
            this.armQuietTimer();
          }
        })
        .catch((error) => {
          if (generation !== this.generation) return;
          this.host.core.logger.warn({ err: error }, `venue ${this.host.core.id}: backfill while quiet failed`);
          this.armQuietTimer();
        });
    }, Math.max(50, this.host.quietBackfillMs / 2));
  }

  stopQuietTimer(): void {
    if (this.quietTimer !== undefined) this.host.core.clock.clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }

  private onStreamOrder(info: unknown): void {
    let state = this.host.core.profile.orderFromRaw(info);
    if (state === undefined) return;
    let order = this.host.core.keeper.byExchangeClientOrderId(state.exchangeClientOrderId);
    if (order === undefined) {
      // The regular order a conditional order became at its trigger, under a client id of its own.
      order = this.host.core.keeper.byTriggeredOrderId(state.venueOrderId);
      if (order === undefined) return;
      state = { ...state, exchangeClientOrderId: order.exchangeClientOrderId };
    }
    // Before the exchange has answered our submit, an update under the same id with other terms is another
    // order's (the id was taken): it is not ours to report.
    if (order.inFlight && !order.accepted && !sameTerms(order, state)) return;
    this.host.writes.applyState(order, this.host.core.rest.withUnifiedSymbol(state), 'canceled at the exchange');
  }

  private onStreamFill(info: unknown): void {
    const fill = this.host.core.profile.fillFromStream(info);
    if (fill === undefined || fill.exchangeClientOrderId === undefined) return;
    const order = this.host.core.keeper.byExchangeClientOrderId(fill.exchangeClientOrderId) ?? this.host.core.keeper.byTriggeredOrderId(fill.venueOrderId);
    if (order === undefined) {
      this.host.account.onForeignOrderMessage(info);
      return;
    }
    for (const report of this.host.core.keeper.reportsForFill(order, fill)) this.host.core.deliver(report);
    this.host.writes.afterResolved(order);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
