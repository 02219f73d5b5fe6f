// The engine's venues: each one's instruments, last market data and trigger index, and the prices the rest of
// the engine reads (mark, side-specific reference, default quote currency). Market data lands here first.
import type { Venue, VenueLinkStatus } from '../../adapters/venue.ts';
import type { Decimal } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { MarketData } from '../domain/market-data.ts';
import type { OrderRequest } from '../domain/order-request.ts';
import { UnknownInstrumentError, UnknownVenueError } from './errors.ts';
import { TriggerIndex, type TriggerSink } from './trigger-index.ts';

export interface VenueBinding {
  readonly venue: Venue;
  readonly instruments: Map<string, Instrument>;
  readonly triggers: TriggerIndex;
  readonly lastMarketData: Map<string, MarketData>;
  unsubscribe: Array<() => void>;
}

export class VenueBook {
  private readonly bindings = new Map<string, VenueBinding>();

  constructor(venues: readonly Venue[], triggerSink: TriggerSink) {
    if (venues.length === 0) throw new Error('createEngine needs at least one venue');
    for (const venue of venues) {
      if (this.bindings.has(venue.id)) throw new Error(`two venues share the id "${venue.id}"`);
      this.bindings.set(venue.id, {
        venue,
        instruments: new Map(),
        triggers: new TriggerIndex(triggerSink, (symbol) => this.instrument(venue.id, symbol).tickSize),
        lastMarketData: new Map(),
        unsubscribe: [],
      });
    }
  }

  all(): IterableIterator<VenueBinding> {
    return this.bindings.values();
  }

  ids(): string[] {
    return [...this.bindings.keys()];
  }

  defaultVenueId(): string {
    return this.bindings.keys().next().value!;
  }

  binding(venueId: string): VenueBinding {
    const binding = this.bindings.get(venueId);
    if (binding === undefined) throw new UnknownVenueError(venueId, [...this.bindings.keys()]);
    return binding;
  }

  venue(venueId: string): Venue {
    return this.binding(venueId).venue;
  }

  triggers(venueId: string): TriggerIndex {
    return this.binding(venueId).triggers;
  }

  instrument(venueId: string, symbol: string): Instrument {
    const instrument = this.binding(venueId).instruments.get(symbol);
    if (instrument === undefined) throw new UnknownInstrumentError(symbol, venueId);
    return instrument;
  }

  /** The link's state: a venue without a link of its own is live once connected. */
  linkStatus(venueId: string): VenueLinkStatus {
    return this.venue(venueId).linkStatus?.() ?? { state: 'live' };
  }

  /** Keeps the tick (mark prices) and checks the venue's locally held triggers against it. */
  record(binding: VenueBinding, data: MarketData): void {
    binding.lastMarketData.set(data.symbol, data);
    binding.triggers.onMarketData(data);
  }

  /** The last price seen for a symbol: trade price, quote mid, or bar close. */
  marketPrice(venueId: string, symbol: string): Decimal | undefined {
    const data = this.binding(venueId).lastMarketData.get(symbol);
    if (data === undefined) return undefined;
    if (data.type === 'trade') return data.price;
    if (data.type === 'bar') return data.close;
    const bid = data.bids[0]?.price;
    const ask = data.asks[0]?.price;
    if (bid !== undefined && ask !== undefined) return bid.plus(ask).div('2');
    return bid ?? ask;
  }

  /** The side-specific price a trailing stop starts from: the bid for a sell, the ask for a buy. */
  referencePrice(venueId: string, request: OrderRequest): Decimal | undefined {
    const data = this.binding(venueId).lastMarketData.get(request.symbol);
    if (data === undefined || data.type !== 'quote') return undefined;
    return request.side === 'sell' ? data.bids[0]?.price : data.asks[0]?.price;
  }

  defaultQuote(): string {
    const first = this.binding(this.defaultVenueId()).instruments.values().next().value;
    return first?.quote ?? 'USD';
  }
}
