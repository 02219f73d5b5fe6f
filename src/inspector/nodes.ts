// The actor tree's nodes: each actor's current state and the figures a trader reads (type, prices, fees, PnL
// after fees, stop and take-profits, mark and notional), from its snapshot and the engine's public views.
// Parent links are data: an order's parent is its request's parentId (a position or an algo), else the portfolio.
import type { AnyActorRef, StateValue } from 'xstate';
import { TERMINAL_ORDER_STATES, type OrderContext, type OrderStateName } from '../../machines/order.ts';
import type { PositionContext } from '../../machines/position.ts';
import { decimal } from '../domain/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import type { InstrumentView, NodeView } from './protocol.ts';

/** A state value as the page shows it: `partial`, or `open.stop.trailing, open.size.base` for parallel ones. */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const inner = stateLabel(child as StateValue);
    for (const part of inner.split(', ')) paths.push(part === '' ? key : `${key}.${part}`);
  }
  return paths.join(', ');
}

interface SnapshotLike {
  readonly value: StateValue;
  readonly status: string;
  readonly context: unknown;
}

/** The node of an actor from its id and snapshot; the engine is asked only for positions, prices and trades. */
export function nodeOf(actorId: string, snapshot: SnapshotLike, engine: Engine, at?: number): NodeView {
  if (actorId.startsWith('order:')) return orderNode(actorId, snapshot, engine, at);
  if (actorId.startsWith('position:')) return positionNode(actorId, snapshot, engine, at);
  if (actorId === 'portfolio') {
    const context = snapshot.context as { reason?: string };
    return {
      id: 'portfolio', kind: 'portfolio', machine: 'portfolio', state: stateLabel(snapshot.value), live: snapshot.status === 'active',
      ...(context.reason === undefined ? {} : { reason: context.reason }),
      ...(at === undefined ? {} : { updatedAt: at }),
    };
  }
  if (actorId.startsWith('algo:')) {
    const node = parentNode(actorId, engine, at);
    if (node !== undefined) return node;
  }
  // Any other actor in the system (a venue's connection chart, an algo the engine no longer lists): under the portfolio, no chart.
  const kind = actorId.startsWith('venue:') ? 'venue' : 'algo';
  return { id: actorId, kind, parent: 'portfolio', state: typeof snapshot.value === 'undefined' ? snapshot.status : stateLabel(snapshot.value), live: snapshot.status === 'active' };
}

/**
 * An execution algorithm or order list (`algo:<id>`), from the engine's view of it: kind, progress (filled /
 * target, average price), schedule (next slice, end); its children are order nodes whose parent names it.
 */
function parentNode(actorId: string, engine: Engine, at: number | undefined): NodeView | undefined {
  const id = actorId.slice('algo:'.length);
  const algo = engine.getAlgo(id);
  const view = algo ?? engine.getOrderList(id);
  if (view === undefined) return undefined;
  const node: Record<string, unknown> = {
    id: actorId,
    kind: 'algo',
    parent: 'portfolio',
    machine: algo === undefined ? 'orderList' : algo.kind,
    state: view.state,
    live: view.live,
    symbol: view.symbol,
    algoKind: view.kind,
    filled: view.filledQuantity,
    createdAt: view.createdAt,
  };
  if (view.averagePrice !== undefined) node.averagePrice = view.averagePrice;
  if (view.reason !== undefined) node.reason = view.reason;
  if (view.venue !== engine.venueIds()[0]) node.venue = view.venue;
  if (algo !== undefined) {
    node.side = algo.side;
    node.quantity = algo.quantity;
    node.progress = algo.progress;
    if (algo.limitPrice !== undefined) node.price = algo.limitPrice;
    if (algo.schedule.nextWakeAt !== undefined) node.nextWakeAt = algo.schedule.nextWakeAt;
    if (algo.schedule.endAt !== undefined) node.endAt = algo.schedule.endAt;
    if (algo.schedule.slicesPlanned !== undefined) node.slices = `${algo.schedule.slicesSent ?? 0}/${algo.schedule.slicesPlanned}`;
  } else if ('legs' in view) {
    // A list's target is its trigger's (OTO parent, bracket entry), else its first leg's.
    const lead = view.legs.find((leg) => leg.trigger) ?? view.legs[0];
    if (lead !== undefined) {
      node.side = lead.side;
      if (lead.quantity !== undefined) node.quantity = lead.quantity;
    }
  }
  if (at !== undefined) node.updatedAt = at;
  return node as unknown as NodeView;
}

/** An order's parent actor: its algorithm or order list, or its position (parent links are data). */
function parentOf(engine: Engine, parentId: string | undefined): string {
  if (parentId === undefined) return 'portfolio';
  if (engine.getAlgoActor(parentId) !== undefined) return `algo:${parentId}`;
  if (engine.getPositionActor(parentId) !== undefined || engine.getPosition(parentId) !== undefined) return `position:${parentId}`;
  return `algo:${parentId}`;
}

/** Sum of an order's fees in its instrument's quote currency (other currencies are listed apart by the API). */
function feesIn(fees: Readonly<Record<string, string>>, currency: string | undefined): string | undefined {
  if (currency === undefined) return undefined;
  return fees[currency];
}

function orderNode(actorId: string, snapshot: SnapshotLike, engine: Engine, at: number | undefined): NodeView {
  const context = snapshot.context as OrderContext;
  const status = snapshot.value as OrderStateName;
  const request = context.request;
  const parentId = request.parentId;
  const quote = quoteOf(engine, context.venue, request.symbol);
  const node: Record<string, unknown> = {
    id: actorId,
    kind: 'order',
    parent: parentOf(engine, parentId),
    state: stateLabel(snapshot.value),
    live: !TERMINAL_ORDER_STATES.includes(status),
    symbol: request.symbol,
    side: request.side,
    orderType: request.type,
    quantity: context.quantity,
    createdAt: context.createdAt,
  };
  // Omitted while nothing is filled: 10,000 working orders in a snapshot stay under 2 MB.
  if (context.filledQuantity !== '0') node.filled = context.filledQuantity;
  if (context.price !== undefined) node.price = context.price;
  if (context.stopPrice !== undefined) node.stopPrice = context.stopPrice;
  if (context.triggerPrice !== undefined) node.triggerPrice = context.triggerPrice;
  if (context.watermark !== undefined) node.watermark = context.watermark;
  if (context.averagePrice !== undefined) node.averagePrice = context.averagePrice;
  if (request.reduceOnly) node.reduceOnly = true;
  const fee = feesIn(context.fees, quote);
  if (fee !== undefined) node.fees = fee;
  if (context.venue !== engine.venueIds()[0]) node.venue = context.venue;
  if (context.reason !== undefined) node.reason = context.reason;
  if (at !== undefined) node.updatedAt = at;
  return node as unknown as NodeView;
}

function positionNode(actorId: string, snapshot: SnapshotLike, engine: Engine, at: number | undefined): NodeView {
  const context = snapshot.context as PositionContext;
  const state = stateLabel(snapshot.value);
  const view = engine.getPosition(context.positionId);
  const node: Record<string, unknown> = {
    id: actorId,
    kind: 'position',
    parent: 'portfolio',
    state,
    live: state !== 'closed',
    symbol: context.symbol,
    side: context.direction,
    quantity: context.quantity,
    realizedPnl: netRealizedPnl(engine, context),
    fees: context.fees,
    createdAt: context.createdAt,
  };
  if (context.venue !== engine.venueIds()[0]) node.venue = context.venue;
  if (context.averageEntryPrice !== undefined) node.averagePrice = context.averageEntryPrice;
  if (context.stopPrice !== undefined) node.stopPrice = context.stopPrice;
  if (view?.stopPhase !== undefined) node.stopPhase = view.stopPhase;
  const takeProfits = takeProfitPrices(engine, context);
  if (takeProfits.length > 0) node.takeProfitPrices = takeProfits;
  if (view?.markPrice !== undefined) node.markPrice = view.markPrice;
  if (view?.unrealizedPnl !== undefined) node.unrealizedPnl = view.unrealizedPnl;
  if (view?.notional !== undefined) node.notional = view.notional;
  if (context.exitReason !== undefined) node.exitReason = context.exitReason;
  if (context.planError !== undefined) node.reason = context.planError;
  if (context.closedAt !== undefined) node.closedAt = context.closedAt;
  if (at !== undefined) node.updatedAt = at;
  return node as unknown as NodeView;
}

/**
 * Realized PnL after fees: a closed position's trade record as /v1/trades has it, else realized (gross) less
 * the fees paid so far — the figure a trader reads, never the gross one.
 */
export function netRealizedPnl(engine: Engine, context: Pick<PositionContext, 'positionId' | 'realizedPnl' | 'fees' | 'closedAt'>): string {
  if (context.closedAt !== undefined) {
    const trade = engine.trades().findLast((record) => record.id === context.positionId);
    if (trade !== undefined) return trade.realizedPnl;
  }
  return decimal(context.realizedPnl).minus(context.fees).toFixed();
}

/** The prices of a position's working take-profit orders, nearest first as the plan placed them. */
function takeProfitPrices(engine: Engine, context: PositionContext): string[] {
  const prices: string[] = [];
  for (const orderId of context.takeProfitOrderIds) {
    if (!context.workingOrderIds.includes(orderId)) continue;
    const price = engine.getOrderActor(orderId)?.getSnapshot().context.price;
    if (price !== undefined) prices.push(price);
  }
  return prices;
}

function quoteOf(engine: Engine, venueId: string, symbol: string): string | undefined {
  try {
    return engine.instrument(venueId, symbol).quote;
  } catch {
    return undefined;
  }
}

/** The instruments of every venue, as the page formats prices (tick) and quantities (lot) with them. */
export function instrumentViews(engine: Engine): Record<string, InstrumentView> {
  const views: Record<string, InstrumentView> = {};
  for (const venueId of engine.venueIds()) {
    for (const instrument of engine.venue(venueId).instruments()) {
      views[instrument.symbol] ??= { symbol: instrument.symbol, base: instrument.base, quote: instrument.quote, tickSize: instrument.spec.tickSize, lotSize: instrument.spec.lotSize };
    }
  }
  return views;
}

/** A venue node: its connection state when the venue exposes one (`connectionState()`), else `connected`. */
export function venueNode(engine: Engine, venueId: string): NodeView {
  const venue = engine.venue(venueId) as unknown as { connectionState?: () => string };
  const state = typeof venue.connectionState === 'function' ? venue.connectionState() : 'connected';
  return { id: `venue:${venueId}`, kind: 'venue', parent: 'portfolio', state, live: state !== 'down' };
}

/** The portfolio and the venues: the tree's root, always in a snapshot. */
export function rootNodes(engine: Engine): NodeView[] {
  const nodes: NodeView[] = [nodeOf('portfolio', engine.portfolio.getSnapshot(), engine)];
  for (const venueId of engine.venueIds()) nodes.push(venueNode(engine, venueId));
  return nodes;
}

/** The machine a node's actor runs: its own `machine`, else its kind's (orders and positions). */
export function machineOf(node: Pick<NodeView, 'kind' | 'machine'>): string | undefined {
  return node.machine ?? (node.kind === 'order' || node.kind === 'position' ? node.kind : undefined);
}

/** The engine's actor behind a node id (`portfolio`, `order:<id>`, `position:<id>`, `algo:<id>`), if it holds one. */
export function actorRefOf(engine: Engine, actorId: string): AnyActorRef | undefined {
  if (actorId === 'portfolio') return engine.portfolio;
  if (actorId.startsWith('order:')) return engine.getOrderActor(actorId.slice('order:'.length));
  if (actorId.startsWith('position:')) return engine.getPositionActor(actorId.slice('position:'.length));
  if (actorId.startsWith('algo:')) return engine.getAlgoActor(actorId.slice('algo:'.length));
  return undefined;
}
