// The price chart's series, gathered while a page is attached: each symbol's mark price (sampled when it
// changed, at each flush), its fills, each position's stop and take-profits over time (from its announcements,
// so every trailing step is there), a trailing stop's high-water mark, and the account's equity. Bounded: a
// series past its cap drops its older half, and closed positions' series past their cap go oldest first.
import type { DomainEvent } from '../domain/events.ts';
import type { Engine } from '../engine/engine.ts';

/** Points kept per series. */
const MAX_POINTS = 20_000;
/** Closed positions whose series are kept (open ones always are): the chart shows the recent ones. */
export const CLOSED_POSITIONS_KEPT = 1_000;

export interface PricePoint {
  readonly at: number;
  /** A decimal string; null where a line stops (a stop canceled, a position closed). */
  readonly value: string | null;
}

export interface FillPoint {
  readonly at: number;
  readonly price: string;
  readonly quantity: string;
  readonly orderId: string;
}

export interface PositionSeries {
  readonly stop: PricePoint[];
  /** One series per take-profit level, nearest first. */
  readonly takeProfits: PricePoint[][];
  readonly watermark: PricePoint[];
}

export interface PriceSeriesView {
  readonly symbol: string;
  readonly mark: readonly PricePoint[];
  readonly fills: readonly FillPoint[];
  readonly equity: readonly PricePoint[];
  readonly positions: Readonly<Record<string, PositionSeries>>;
}

function push<T>(series: T[], point: T): void {
  series.push(point);
  if (series.length > MAX_POINTS) series.splice(0, series.length >> 1);
}

function pushChanged(series: PricePoint[], at: number, value: string | null): void {
  const last = series[series.length - 1];
  if (last !== undefined && last.value === value) return;
  push(series, { at, value });
}

export class PriceHistory {
  private readonly marks = new Map<string, PricePoint[]>();
  private readonly fills = new Map<string, FillPoint[]>();
  private readonly equity: PricePoint[] = [];
  /** By position actor id. */
  private readonly positions = new Map<string, PositionSeries & { symbol: string }>();
  /** Actor ids of closed positions still kept, oldest close first. */
  private readonly closed = new Set<string>();

  constructor(private readonly engine: Engine) {}

  /** Samples marks and equity (the engine's views): called at each flush. */
  sample(at: number): void {
    for (const venueId of this.engine.venueIds()) {
      for (const instrument of this.engine.venue(venueId).instruments()) {
        const mark = this.engine.marketPrice(instrument.symbol, venueId);
        if (mark === undefined) continue;
        let series = this.marks.get(instrument.symbol);
        if (series === undefined) this.marks.set(instrument.symbol, (series = []));
        pushChanged(series, at, mark.toFixed());
      }
    }
    const equity = this.engine.account().equity;
    if (equity !== undefined) pushChanged(this.equity, at, equity);
  }

  domainEvent(event: DomainEvent): void {
    switch (event.type) {
      case 'OrderFilled': {
        let series = this.fills.get(event.symbol);
        if (series === undefined) this.fills.set(event.symbol, (series = []));
        push(series, { at: event.timestamp, price: event.fillPrice, quantity: event.fillQuantity, orderId: event.orderId });
        break;
      }
      case 'PositionOpened': {
        const position = this.position(event.positionId, event.symbol);
        pushChanged(position.stop, event.timestamp, event.stopPrice ?? null);
        event.takeProfitPrices.forEach((price, level) => pushChanged(this.level(position, level), event.timestamp, price));
        break;
      }
      case 'PositionChanged': {
        const position = this.position(event.positionId, event.symbol);
        pushChanged(position.stop, event.timestamp, event.stopPrice ?? null);
        break;
      }
      case 'PositionClosed': {
        const position = this.position(event.positionId, event.symbol);
        pushChanged(position.stop, event.timestamp, null);
        for (const level of position.takeProfits) pushChanged(level, event.timestamp, null);
        position.watermark.length > 0 && pushChanged(position.watermark, event.timestamp, null);
        this.retire(`position:${event.positionId}`);
        break;
      }
      default:
    }
  }

  /** A take-profit order's price change, or a trailing stop's new high-water mark, seen on its order actor. */
  orderEvent(event: { type: string; watermark?: unknown; price?: unknown }, context: { request: { parentId?: string; symbol: string }; clientOrderId: string }, at: number): void {
    const parentId = context.request.parentId;
    if (parentId === undefined) return;
    const position = this.positions.get(`position:${parentId}`);
    if (event.type === 'trailingAdvanced' && typeof event.watermark === 'string') {
      pushChanged(this.position(parentId, context.request.symbol).watermark, at, event.watermark);
    } else if (position !== undefined && (event.type === 'venue.amended' || event.type === 'amend') && typeof event.price === 'string') {
      const level = this.engine.getPosition(parentId)?.takeProfitOrderIds.indexOf(context.clientOrderId) ?? -1;
      if (level >= 0) pushChanged(this.level(position, level), at, event.price);
    }
  }

  view(symbol: string): PriceSeriesView {
    const positions: Record<string, PositionSeries> = {};
    for (const [actorId, series] of this.positions) {
      if (series.symbol === symbol) positions[actorId] = { stop: series.stop, takeProfits: series.takeProfits, watermark: series.watermark };
    }
    return { symbol, mark: this.marks.get(symbol) ?? [], fills: this.fills.get(symbol) ?? [], equity: this.equity, positions };
  }

  private position(positionId: string, symbol: string): PositionSeries & { symbol: string } {
    const actorId = `position:${positionId}`;
    let series = this.positions.get(actorId);
    if (series === undefined) this.positions.set(actorId, (series = { symbol, stop: [], takeProfits: [], watermark: [] }));
    return series;
  }

  private retire(actorId: string): void {
    this.closed.add(actorId);
    if (this.closed.size <= CLOSED_POSITIONS_KEPT) return;
    const oldest = this.closed.values().next().value!;
    this.closed.delete(oldest);
    this.positions.delete(oldest);
  }

  private level(position: PositionSeries, level: number): PricePoint[] {
    while (position.takeProfits.length <= level) position.takeProfits.push([]);
    return position.takeProfits[level]!;
  }
}
