// Read models: plain-JSON views of orders, positions and the account for the API, the CLI and the inspector.
// Working actors are read as they are; finished orders that left memory come from the recent views kept.
import type { Actor } from 'xstate';
import type { OrderStateName } from '../../machines/order.ts';
import type { portfolioMachine, TradingStateName } from '../../machines/portfolio.ts';
import type { DecimalString } from '../domain/decimal.ts';
import type { Ledger } from '../domain/ledger.ts';
import { marginPositionOf } from '../domain/margin-ledger.ts';
import type { OrderRegistry } from './order-registry.ts';
import { orderView, type OrderView } from './order-view.ts';
import { positionView, type PositionActor, type PositionBook, type PositionView } from './positions.ts';
import type { Valuation } from './valuation.ts';
import type { VenueBook } from './venues.ts';

export interface OrderFilter {
  readonly status?: OrderStateName | readonly OrderStateName[];
  readonly symbol?: string;
  readonly venue?: string;
  /** true: only working orders; false: only finished ones. */
  readonly live?: boolean;
  readonly parentId?: string;
  /** Created at or after this clock time. */
  readonly since?: number;
  readonly until?: number;
}

export interface AccountView {
  readonly tradingState: TradingStateName;
  readonly reason?: string;
  readonly balances: Ledger['balances'];
  readonly equity?: DecimalString;
  readonly exposure: DecimalString;
  readonly exposureBySymbol: Readonly<Record<string, DecimalString>>;
  readonly openPositions: number;
  readonly faults: number;
}

export class Views {
  constructor(
    private readonly orders: OrderRegistry,
    private readonly positions: PositionBook,
    private readonly venues: VenueBook,
    private readonly valuation: Valuation,
    private readonly portfolio: () => Actor<typeof portfolioMachine>,
    /** A trailing stop's level moved in the trigger index and not yet written to its actor. */
    private readonly trailingLevel: (orderId: string) => { triggerPrice: DecimalString } | undefined,
  ) {}

  private withTrailing(view: OrderView): OrderView {
    const level = view.live ? this.trailingLevel(view.orderId) : undefined;
    return level === undefined ? view : { ...view, triggerPrice: level.triggerPrice };
  }

  order(orderId: string): OrderView | undefined {
    const actor = this.orders.get(orderId);
    if (actor === undefined) return this.orders.finishedView(orderId);
    const snapshot = actor.getSnapshot();
    return this.withTrailing(orderView(snapshot.value as OrderStateName, snapshot.context));
  }

  /** Working and recently finished orders matching the filter, oldest first. */
  listOrders(filter: OrderFilter = {}): OrderView[] {
    const statuses = filter.status === undefined ? undefined : new Set(typeof filter.status === 'string' ? [filter.status] : filter.status);
    const views: OrderView[] = [];
    const consider = (view: OrderView, parentId: string | undefined, createdAt: number) => {
      if (filter.symbol !== undefined && view.symbol !== filter.symbol) return;
      if (filter.venue !== undefined && view.venue !== filter.venue) return;
      if (filter.parentId !== undefined && parentId !== filter.parentId) return;
      if (filter.since !== undefined && createdAt < filter.since) return;
      if (filter.until !== undefined && createdAt > filter.until) return;
      if (statuses !== undefined && !statuses.has(view.status)) return;
      if (filter.live !== undefined && view.live !== filter.live) return;
      views.push(view);
    };
    if (filter.live !== true) {
      for (const view of this.orders.finishedViewsNewestFirst().reverse()) consider(view, view.parentId, view.createdAt);
    }
    for (const actor of this.orders.values()) {
      const snapshot = actor.getSnapshot();
      const context = snapshot.context;
      if (filter.symbol !== undefined && context.request.symbol !== filter.symbol) continue;
      consider(this.withTrailing(orderView(snapshot.value as OrderStateName, context)), context.request.parentId, context.createdAt);
    }
    return views.sort((a, b) => a.createdAt - b.createdAt);
  }

  position(actor: PositionActor): PositionView {
    const context = actor.getSnapshot().context;
    const reported = marginPositionOf(this.portfolio().getSnapshot().context.ledger, context.venue, context.symbol)?.reported;
    const view = positionView(actor, this.venues.marketPrice(context.venue, context.symbol)?.toFixed(), reported);
    const level = context.stopKind === 'trailing' && context.stopOrderId !== undefined ? this.trailingLevel(context.stopOrderId) : undefined;
    return level === undefined ? view : { ...view, stopPrice: level.triggerPrice };
  }

  listPositions(filter: { symbol?: string; status?: string; open?: boolean } = {}): PositionView[] {
    const views: PositionView[] = [];
    const all = [...this.positions.closedViewsOldestFirst(), ...[...this.positions.all()].map((actor) => this.position(actor))];
    for (const view of all) {
      if (filter.symbol !== undefined && view.symbol !== filter.symbol) continue;
      if (filter.status !== undefined && view.status !== filter.status) continue;
      if (filter.open !== undefined && (view.status !== 'closed') !== filter.open) continue;
      views.push(view);
    }
    return views;
  }

  account(quote: string): AccountView {
    const snapshot = this.portfolio().getSnapshot();
    const value = this.valuation.of(quote);
    return {
      tradingState: snapshot.value as TradingStateName,
      reason: snapshot.context.reason,
      balances: snapshot.context.ledger.balances,
      equity: value.equity,
      exposure: value.exposure,
      exposureBySymbol: value.bySymbol,
      openPositions: this.positions.openCount(),
      faults: snapshot.context.faults.length,
    };
  }
}
