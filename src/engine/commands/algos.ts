// Algorithm commands: submit (checked whole before anything is sent), pause, resume, amend, cancel, and the
// views. The algo's children then go through the portfolio's risk gate like every order.
import { z } from 'zod';
import type { Venue } from '../../../adapters/venue.ts';
import { amendmentIssue } from '../../domain/algo-amend.ts';
import { AlgoParamsError, parseAlgoSpec, sliceCount, type AlgoSpec, type AlgoSpecInput } from '../../domain/algo-params.ts';
import { smallestSlice } from '../../domain/algo-sizing.ts';
import type { Clock } from '../../domain/clock.ts';
import { decimal, ZERO, type Decimal } from '../../domain/decimal.ts';
import { roundPriceToTick, type Instrument } from '../../domain/instrument.ts';
import { optionalDecimalInput, OrderRequestError, parseOrderRequest, validateOrderRequest, type OrderRequestInput } from '../../domain/order-request.ts';
import { AlgoStateError, UnknownAlgoError } from '../algos/errors.ts';
import type { ParentBook, ParentEntry } from '../algos/parent-book.ts';
import { matchingViews, type AlgoStatus, type AlgoView } from '../algos/parent-view.ts';
import type { VenueBook } from '../venues.ts';
import { checkCapabilities } from './orders.ts';

type WithoutParentId<T> = T extends unknown ? Omit<T, 'parentId'> : never;

/**
 * An algorithm as a client asks for it: one of twap, vwap, pov, iceberg, chase with its parameters (see
 * src/domain/algo-params.ts), an optional `venue`; the engine gives its id (`fs-...`).
 */
export type AlgoRequest = WithoutParentId<AlgoSpecInput> & { readonly venue?: string };

export interface AlgoAmendment {
  readonly quantity?: string;
  readonly limitPrice?: string;
}

export interface AlgoFilter {
  readonly kind?: string;
  readonly symbol?: string;
  readonly status?: AlgoStatus;
  /** true: only algos still working (or paused); false: only finished ones. */
  readonly live?: boolean;
}

const amendmentSchema = z.strictObject({ quantity: optionalDecimalInput('quantity'), limitPrice: optionalDecimalInput('limitPrice') });

export interface AlgoCommandHost {
  readonly clock: Clock;
  readonly venues: VenueBook;
  readonly book: ParentBook;
}

export class AlgoCommands {
  constructor(private readonly host: AlgoCommandHost) {}

  /** Checks the algo whole against its instrument and venue, then starts it. Throws AlgoParamsError with every reason. */
  submit(input: AlgoRequest): AlgoView {
    const { venues, book, clock } = this.host;
    const raw = requestObject(input);
    if ('parentId' in raw) throw new AlgoParamsError(['parentId is given by the engine (an id in its "fs-" namespace): leave it out']);
    const venueId = typeof raw.venue === 'string' ? raw.venue : venues.defaultVenueId();
    const binding = venues.binding(venueId);
    const instrument = typeof raw.symbol === 'string' ? binding.instruments.get(raw.symbol) : undefined;
    const now = clock.now();
    const id = book.nextId('algo');
    const spec = parseAlgoSpec(Object.assign({}, raw, { parentId: id, venue: venueId }), instrument, now);
    const issues = childIssues(spec, instrument!, binding.venue, venues.marketPrice(venueId, spec.symbol), now);
    if (issues.length > 0) throw new AlgoParamsError(issues);
    const grid = { tickSize: instrument!.spec.tickSize, lotSize: instrument!.spec.lotSize, minQuantity: instrument!.spec.minQuantity };
    const entry = book.createAlgo(venueId, { spec, grid, createdAt: now, randomSeed: seedOf(id, now) });
    return book.algoView(entry);
  }

  /** Cancels the working children and holds the schedule; fills already made are kept. */
  pause(algoId: string): AlgoView {
    return this.command(algoId, { type: 'pause', at: this.host.clock.now() }, 'paused');
  }

  /** Plans again from what is left (missed slices are folded into the one due now). */
  resume(algoId: string): AlgoView {
    if (this.host.book.isTradingHalted()) {
      const entry = this.require(algoId);
      const state = JSON.stringify(entry.actor.getSnapshot().value);
      throw new AlgoStateError(algoId, state, `algo ${algoId} cannot be resumed while trading is halted: its children would only be denied (an algo the halt paused resumes on its own when trading resumes)`);
    }
    return this.command(algoId, { type: 'resume', at: this.host.clock.now() }, 'resumed');
  }

  /** A new quantity (never below what filled) and/or limit price. Throws AlgoParamsError with the reason. */
  amend(algoId: string, changes: unknown): AlgoView {
    const entry = this.require(algoId);
    const parsed = amendmentSchema.safeParse(changes);
    if (!parsed.success) throw new AlgoParamsError(parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)));
    const amendment = parsed.data;
    const context = entry.actor.getSnapshot().context;
    const issue = amendmentIssue(amendment, context.ledger, context.grid);
    if (issue !== undefined) throw new AlgoParamsError([issue]);
    return this.command(algoId, Object.assign({ type: 'amend' as const, at: this.host.clock.now() }, amendment), 'amended');
  }

  /** Cancels the children (fills kept); the algo ends `canceled` once none can fill any more. */
  cancel(algoId: string, reason?: string): AlgoView {
    return this.command(algoId, { type: 'cancel', at: this.host.clock.now(), reason }, 'canceled');
  }

  get(algoId: string): AlgoView | undefined {
    const entry = this.host.book.get(algoId);
    return entry?.kind === 'algo' ? this.host.book.algoView(entry) : undefined;
  }

  list(filter: AlgoFilter = {}): AlgoView[] {
    const book = this.host.book;
    return matchingViews(book.entries('algo').map((entry) => book.algoView(entry)), filter);
  }

  private command(algoId: string, event: Parameters<ParentBook['send']>[1], verb: string): AlgoView {
    const entry = this.require(algoId);
    const snapshot = entry.actor.getSnapshot();
    if (!snapshot.can(event)) {
      const state = JSON.stringify(snapshot.value);
      throw new AlgoStateError(algoId, state, `algo ${algoId} cannot be ${verb} while it is ${describeState(snapshot.value)}`);
    }
    this.host.book.send(entry, event);
    return this.host.book.algoView(entry);
  }

  private require(algoId: string): ParentEntry {
    const entry = this.host.book.get(algoId);
    if (entry === undefined || entry.kind !== 'algo') throw new UnknownAlgoError(algoId);
    return entry;
  }
}

export function requestObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AlgoParamsError(['the request must be an object']);
  return input as Record<string, unknown>;
}

export function describeState(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.keys(value as Record<string, unknown>)[0]!;
}

function onTick(instrument: Instrument, price: Decimal | undefined): string | undefined {
  return price === undefined ? undefined : roundPriceToTick(instrument, price).toFixed();
}

/** A seed for the size randomisation, picked once from the id and the time (it then lives in context). */
function seedOf(id: string, now: number): number {
  let hash = now | 0;
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193);
  return hash | 0;
}

/**
 * The smallest child the algo would send, checked as an order (minimum notional at the market or limit price,
 * the venue's order types): a plan whose every child would be refused is refused up front.
 */
function childIssues(spec: AlgoSpec, instrument: Instrument, venue: Venue, marketPrice: Decimal | undefined, now: number): string[] {
  const params = spec.params;
  let quantity: Decimal;
  let child: Partial<OrderRequestInput>;
  switch (params.kind) {
    case 'twap':
    case 'vwap': {
      const even = decimal(spec.quantity).div(decimal(sliceCount(params)));
      quantity = even.lt(smallestSlice(instrument.spec)) ? smallestSlice(instrument.spec) : even;
      child = params.style === 'maker' ? { type: 'limit', price: spec.limitPrice, postOnly: true, timeInForce: 'GTC' } : spec.limitPrice !== undefined ? { type: 'limit', price: spec.limitPrice, timeInForce: 'IOC' } : { type: 'market', timeInForce: 'IOC' };
      break;
    }
    case 'pov':
      quantity = decimal(params.minSlice);
      child = { type: 'limit', price: spec.limitPrice ?? onTick(instrument, marketPrice), timeInForce: 'IOC' };
      break;
    case 'iceberg':
      quantity = decimal(params.displayQuantity);
      child = { type: 'limit', price: spec.limitPrice, timeInForce: 'GTC' };
      break;
    case 'chase':
      quantity = decimal(spec.quantity);
      child = { type: 'limit', price: spec.limitPrice ?? onTick(instrument, marketPrice), timeInForce: 'GTC' };
      break;
  }
  if (child.type === 'limit' && child.price === undefined) return [];
  // Rounded onto the lot: the check is of the notional and the order type, not of the even share's digits.
  const lots = quantity.div(instrument.spec.lotSize).round(0, 0);
  const request = Object.assign({ symbol: spec.symbol, side: spec.side, quantity: (lots.gt(ZERO) ? lots.times(instrument.spec.lotSize) : decimal(instrument.spec.lotSize)).toFixed() }, child);
  try {
    const parsed = parseOrderRequest(request);
    validateOrderRequest(parsed, { instrument, now, marketPrice });
    checkCapabilities(venue, parsed);
  } catch (error) {
    if (error instanceof OrderRequestError) return error.issues.map((issue) => `its ${params.kind === 'iceberg' ? 'slices' : 'smallest child'} would be refused: ${issue}`);
    throw error;
  }
  return [];
}
