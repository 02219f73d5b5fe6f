// Read-only views the inspector page asks for besides the stream: the portfolio dashboard (equity, balances and
// reservations, exposure, PnL after fees, today's PnL against the daily loss limit, trading state and reason,
// recent fills and denials, venue states), built only from the engine's public views and its journal.
import { decimal, ZERO } from '../domain/decimal.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Engine } from '../engine/engine.ts';
import { netRealizedPnl, venueNode } from './nodes.ts';

/** Journal events read back for recent fills and denials: bounds one dashboard request. */
const RECENT_EVENTS_SCANNED = 5000;
const RECENT_ROWS = 20;

export interface DashboardOptions {
  /** The daemon's configured daily loss limit (quote currency), shown against today's PnL. */
  readonly dailyLossLimit?: string;
}

export interface DashboardFill {
  readonly at: number;
  readonly orderId: string;
  readonly symbol: string;
  readonly side?: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly liquidity: string;
}

export interface DashboardRefusal {
  readonly at: number;
  readonly orderId: string;
  readonly symbol: string;
  /** OrderDenied (the risk gate) or OrderRejected (the venue). */
  readonly type: string;
  readonly reason: string;
}

export interface DashboardView {
  readonly at: number;
  readonly currency: string;
  readonly tradingState: string;
  readonly reason?: string;
  readonly equity?: string;
  readonly exposure: string;
  readonly exposureBySymbol: Readonly<Record<string, string>>;
  readonly balances: ReadonlyArray<{ readonly currency: string; readonly total: string; readonly reserved: string; readonly free: string }>;
  /** After fees: closed trades as /v1/trades has them, plus what open positions realized less their fees. */
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly fees: string;
  readonly openPositions: number;
  readonly dayStartEquity?: string;
  /** equity − the day's start equity. */
  readonly todayPnl?: string;
  readonly dailyLossLimit?: string;
  readonly recentFills: readonly DashboardFill[];
  readonly refusals: readonly DashboardRefusal[];
  readonly venues: ReadonlyArray<{ readonly venue: string; readonly state: string }>;
}

/** `activity`: the latest fills and refusals, oldest first, when the caller has them (the bridge keeps them). */
export function dashboardView(engine: Engine, options: DashboardOptions = {}, activity?: readonly DomainEvent[]): DashboardView {
  const account = engine.account();
  const currency = engine.venueIds().map((venueId) => engine.venue(venueId).instruments()[0]?.quote).find((quote) => quote !== undefined) ?? 'USD';
  let realized = engine.trades().reduce((sum, trade) => sum.plus(trade.realizedPnl), ZERO);
  let unrealized = ZERO;
  let fees = engine.trades().reduce((sum, trade) => sum.plus(trade.fees), ZERO);
  for (const position of engine.listPositions({ open: true })) {
    const context = engine.getPositionActor(position.positionId)?.getSnapshot().context;
    if (context === undefined) continue;
    realized = realized.plus(netRealizedPnl(engine, context));
    fees = fees.plus(position.fees);
    if (position.unrealizedPnl !== undefined) unrealized = unrealized.plus(position.unrealizedPnl);
  }
  const portfolio = engine.portfolio.getSnapshot().context as { dayStartEquity?: string };
  const todayPnl = account.equity !== undefined && portfolio.dayStartEquity !== undefined ? decimal(account.equity).minus(portfolio.dayStartEquity).toFixed() : undefined;
  const { fills, refusals } = summarizeActivity(engine, activity ?? recentJournalActivity(engine));
  return {
    at: engine.clock.now(),
    currency,
    tradingState: account.tradingState,
    ...(account.reason === undefined ? {} : { reason: account.reason }),
    ...(account.equity === undefined ? {} : { equity: account.equity }),
    exposure: account.exposure,
    exposureBySymbol: account.exposureBySymbol,
    balances: Object.entries(account.balances).map(([name, balance]) => ({ currency: name, total: balance.total, reserved: balance.reserved, free: decimal(balance.total).minus(balance.reserved).toFixed() })),
    realizedPnl: realized.toFixed(),
    unrealizedPnl: unrealized.toFixed(),
    fees: fees.toFixed(),
    openPositions: account.openPositions,
    ...(portfolio.dayStartEquity === undefined ? {} : { dayStartEquity: portfolio.dayStartEquity }),
    ...(todayPnl === undefined ? {} : { todayPnl }),
    ...(options.dailyLossLimit === undefined ? {} : { dailyLossLimit: options.dailyLossLimit }),
    recentFills: fills,
    refusals,
    venues: engine.venueIds().map((venueId) => ({ venue: venueId, state: venueNode(engine, venueId).state })),
  };
}

/** Fills and refusals among the journal's latest events, oldest first. */
export function recentJournalActivity(engine: Engine): DomainEvent[] {
  const last = engine.lastSequence();
  const events: DomainEvent[] = [];
  for (let after = Math.max(0, last - RECENT_EVENTS_SCANNED); after < last;) {
    const page = engine.eventsSince(after, 1000);
    if (page.length === 0) break;
    for (const event of page) if (event.type === 'OrderFilled' || event.type === 'OrderDenied' || event.type === 'OrderRejected') events.push(event);
    after = page[page.length - 1]!.sequence;
  }
  return events;
}

/** The latest fills and refusals (denials by the risk gate, rejections by the venue), newest first. */
function summarizeActivity(engine: Engine, events: readonly DomainEvent[]): { fills: DashboardFill[]; refusals: DashboardRefusal[] } {
  const fills: DashboardFill[] = [];
  const refusals: DashboardRefusal[] = [];
  for (let index = events.length - 1; index >= 0 && (fills.length < RECENT_ROWS || refusals.length < RECENT_ROWS); index--) {
    const event = events[index]!;
    if (event.type === 'OrderFilled' && fills.length < RECENT_ROWS) {
      const side = engine.getOrder(event.orderId)?.side;
      fills.push({ at: event.timestamp, orderId: event.orderId, symbol: event.symbol, ...(side === undefined ? {} : { side }), quantity: event.fillQuantity, price: event.fillPrice, fee: event.fee, feeCurrency: event.feeCurrency, liquidity: event.liquidity });
    } else if ((event.type === 'OrderDenied' || event.type === 'OrderRejected') && refusals.length < RECENT_ROWS) {
      refusals.push({ at: event.timestamp, orderId: event.orderId, symbol: event.symbol, type: event.type, reason: event.reason });
    }
  }
  return { fills, refusals };
}
