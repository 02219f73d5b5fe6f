// A margin venue's account reports (funding, liquidations, its view of a position) enter the engine here: each
// becomes a domain event (journaled like the others) that the ledger and the symbol's position react to; and at
// start the venue's positions are compared with the engine's, differences reported, never traded away.
import type { Logger } from 'pino';
import type { AnyActorRef } from 'xstate';
import type { AccountReport, Venue } from '../../adapters/venue.ts';
import { decimal, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { AccountEventDraft } from '../domain/events.ts';
import type { Ledger } from '../domain/ledger.ts';
import { hasAppliedFunding, hasAppliedLiquidation, marginPositionOf, signedMarginQuantity } from '../domain/margin-ledger.ts';
import type { DomainEventBus } from './event-bus.ts';
import type { PositionActor, PositionBook } from './positions.ts';
import type { VenueBook } from './venues.ts';

export interface AccountReportHost {
  readonly venues: VenueBook;
  readonly positions: PositionBook;
  readonly logger: Logger;
  ledger(): Ledger;
  publish(draft: AccountEventDraft): void;
  /** Runs work as an engine turn (what it publishes is delivered before it returns). */
  run(work: () => void): void;
}

/** Ids published in this process whose ledger reaction may not have run yet (a report delivered twice in one turn). */
const PENDING_KEPT = 1024;

export class AccountReports {
  private readonly pending = new Set<string>();

  constructor(private readonly host: AccountReportHost) {}

  /** One report from a venue, inside an engine turn. */
  receive(report: AccountReport): void {
    const { venues, logger } = this.host;
    const instrument = venues.binding(report.venue).instruments.get(report.symbol);
    if (instrument === undefined) {
      logger.warn({ report }, `${report.type} report from ${report.venue} for ${report.symbol}, which is not an instrument of that venue: ignored`);
      return;
    }
    const position = this.openPosition(report.venue, report.symbol);
    const positionId = position?.getSnapshot().context.positionId;
    const owner = positionId === undefined ? {} : { positionId };
    if (report.type === 'funding') {
      const key = `${report.venue}\u0000${report.symbol}\u0000funding\u0000${report.fundingId}`;
      if (this.pending.has(key) || hasAppliedFunding(this.host.ledger(), report.venue, report.symbol, report.fundingId)) {
        logger.debug({ report }, `funding ${report.fundingId} on ${report.symbol} was already applied: ignored`);
        return;
      }
      this.remember(key);
      if (positionId === undefined) logger.warn({ report }, `funding ${report.fundingId} of ${report.amount} ${report.currency} on ${report.symbol} at ${report.venue}, where the engine holds no position: applied to the ledger only`);
      this.host.publish({
        type: 'FundingSettled', venue: report.venue, symbol: report.symbol, ...owner, fundingId: report.fundingId, amount: report.amount,
        currency: report.currency, rate: report.rate, fundingTime: report.timestamp,
      });
      return;
    }
    if (report.type === 'liquidation') {
      const key = `${report.venue}\u0000${report.symbol}\u0000liquidation\u0000${report.tradeId}`;
      if (this.pending.has(key) || hasAppliedLiquidation(this.host.ledger(), report.venue, report.symbol, report.tradeId)) {
        logger.debug({ report }, `liquidation ${report.tradeId} on ${report.symbol} was already applied: ignored`);
        return;
      }
      this.remember(key);
      if (positionId === undefined) logger.warn({ report }, `liquidation ${report.tradeId} of ${report.quantity} ${report.symbol} at ${report.venue}, where the engine holds no position: applied to the ledger only`);
      else logger.warn({ report, positionId }, `position ${positionId} was liquidated by ${report.venue}: ${report.side} ${report.quantity} ${report.symbol} at ${report.price}, fee ${report.fee} ${report.feeCurrency}`);
      this.host.publish({
        type: 'PositionLiquidated', venue: report.venue, symbol: report.symbol, ...owner, tradeId: report.tradeId, side: report.side,
        quantity: report.quantity, price: report.price, fee: report.fee, feeCurrency: report.feeCurrency, currency: instrument.quote,
      });
      return;
    }
    const held = position === undefined ? ZERO : signedQuantityOf(position);
    const reported = signedReported(report.direction, report.quantity);
    if (!held.eq(reported)) {
      logger.warn({ report, positionId }, `${report.venue} reports ${describe(reported)} ${report.symbol}; the engine holds ${describe(held)}${positionId === undefined ? '' : ` (${positionId})`}`);
    }
    this.host.publish({
      type: 'VenuePositionReported', venue: report.venue, symbol: report.symbol, ...owner, direction: report.direction, quantity: report.quantity,
      currency: instrument.quote, reportedAt: report.timestamp,
      ...(report.entryPrice !== undefined ? { entryPrice: report.entryPrice } : {}),
      ...(report.markPrice !== undefined ? { markPrice: report.markPrice } : {}),
      ...(report.liquidationPrice !== undefined ? { liquidationPrice: report.liquidationPrice } : {}),
      ...(report.leverage !== undefined ? { leverage: report.leverage } : {}),
      ...(report.marginMode !== undefined ? { marginMode: report.marginMode } : {}),
      ...(report.unrealizedPnl !== undefined ? { unrealizedPnl: report.unrealizedPnl } : {}),
    });
  }

  /**
   * Start-up: the venue's positions against the engine's open positions and its ledger, per symbol. Each
   * difference is returned (for the recovery report) and logged at warn; nothing is traded to fix it. The
   * venue's numbers (liquidation price, mark, leverage) reach the views as a position report would.
   */
  async reconcile(venue: Venue, now: number): Promise<string[]> {
    if (venue.positions === undefined) return [];
    const { positions, logger } = this.host;
    const atVenue = await venue.positions();
    const differences: string[] = [];
    const symbols = new Set<string>();
    for (const reported of atVenue) {
      symbols.add(reported.symbol);
      const position = this.openPosition(venue.id, reported.symbol);
      const held = position === undefined ? ZERO : signedQuantityOf(position);
      const theirs = signedReported(reported.direction, reported.quantity);
      if (!held.eq(theirs)) {
        differences.push(`position ${reported.symbol} on ${venue.id}: the venue holds ${describe(theirs)}, the engine ${describe(held)}${position === undefined ? '' : ` (${position.getSnapshot().context.positionId})`}`);
      }
      const ledgerHeld = signedMarginQuantity(marginPositionOf(this.host.ledger(), venue.id, reported.symbol));
      if (!ledgerHeld.eq(theirs) && held.eq(theirs)) {
        differences.push(`position ${reported.symbol} on ${venue.id}: the venue holds ${describe(theirs)}, the ledger's margin account ${describe(ledgerHeld)}`);
      }
      if (this.host.venues.binding(venue.id).instruments.has(reported.symbol)) this.host.run(() => this.receive({ type: 'position', venue: venue.id, timestamp: now, ...reported }));
    }
    for (const actor of positions.current()) {
      const context = actor.getSnapshot().context;
      if (context.venue !== venue.id || symbols.has(context.symbol) || context.quantity === '0') continue;
      differences.push(`position ${context.symbol} on ${venue.id}: the venue holds nothing, the engine ${describe(signedQuantityOf(actor))} (${context.positionId})`);
    }
    for (const difference of differences) logger.warn({ venue: venue.id }, `reconciliation: ${difference}; nothing was traded to change it`);
    return differences;
  }

  /** The symbol's current position when it holds something. */
  private openPosition(venueId: string, symbol: string): PositionActor | undefined {
    const actor = this.host.positions.currentFor(venueId, symbol);
    return actor !== undefined && actor.getSnapshot().context.quantity !== '0' ? actor : undefined;
  }

  private remember(key: string): void {
    this.pending.add(key);
    if (this.pending.size > PENDING_KEPT) this.pending.delete(this.pending.values().next().value!);
  }
}

/**
 * The symbol's position takes what the venue reported: funding into its PnL, a liquidation as its closing trade
 * (at most what it holds: a liquidation never opens anything).
 */
export function installAccountReactions(bus: DomainEventBus, positions: PositionBook): void {
  const actorOf = (positionId: string | undefined): AnyActorRef | undefined => (positionId === undefined ? undefined : positions.get(positionId));
  bus.on('FundingSettled', (event) => {
    actorOf(event.positionId)?.send({ type: 'funding', amount: event.amount, fundingId: event.fundingId });
  });
  bus.on('PositionLiquidated', (event) => {
    const actor = event.positionId === undefined ? undefined : positions.get(event.positionId);
    if (actor === undefined) return;
    const held = decimal(actor.getSnapshot().context.quantity);
    const wanted = decimal(event.quantity);
    const quantity = wanted.gt(held) ? held : wanted;
    if (!quantity.gt(ZERO)) return;
    actor.send({
      type: 'liquidated', tradeId: event.tradeId, timestamp: event.timestamp, side: event.side, quantity: quantity.toFixed(), price: event.price,
      // A fee in another currency (a fee token) is the ledger's business, not the position's PnL.
      fee: event.feeCurrency === event.currency ? event.fee : '0',
    });
  });
}

function signedQuantityOf(actor: PositionActor): Decimal {
  const context = actor.getSnapshot().context;
  return signedReported(context.direction, context.quantity);
}

function signedReported(direction: 'long' | 'short' | 'flat', quantity: DecimalString): Decimal {
  if (direction === 'flat') return ZERO;
  const amount = decimal(quantity);
  return direction === 'long' ? amount : amount.neg();
}

function describe(signed: Decimal): string {
  if (signed.eq(ZERO)) return 'nothing';
  return `${signed.gt(ZERO) ? 'long' : 'short'} ${signed.abs().toFixed()}`;
}
