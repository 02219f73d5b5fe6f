// What the account is worth: equity in a quote currency (balances at the last prices) and the exposure of
// open positions, per symbol. Read by the risk gate, the loss limits and the account view.
import type { Actor } from 'xstate';
import type { portfolioMachine } from '../../machines/portfolio.ts';
import { decimal, ZERO, type DecimalString } from '../domain/decimal.ts';
import { equity as ledgerEquity } from '../domain/ledger.ts';
import { marginUnrealizedPnl } from '../domain/margin-ledger.ts';
import { notionalExposure, type NetPosition } from '../domain/position-accounting.ts';
import type { PositionBook } from './positions.ts';
import type { VenueBook } from './venues.ts';

export interface AccountValue {
  /** Undefined while a balance has no price yet: unknown rather than guessed. */
  readonly equity?: DecimalString;
  readonly exposure: DecimalString;
  readonly bySymbol: Record<string, DecimalString>;
}

export class Valuation {
  constructor(
    private readonly venues: VenueBook,
    private readonly positions: PositionBook,
    private readonly portfolio: () => Actor<typeof portfolioMachine>,
  ) {}

  of(quote: string): AccountValue {
    const prices: Record<string, DecimalString> = {};
    for (const binding of this.venues.all()) {
      for (const instrument of binding.instruments.values()) {
        if (instrument.quote !== quote) continue;
        const price = this.venues.marketPrice(binding.venue.id, instrument.symbol);
        if (price !== undefined) prices[instrument.base] = price.toFixed();
      }
    }
    let exposure = ZERO;
    const bySymbol: Record<string, DecimalString> = {};
    for (const actor of this.positions.current()) {
      const context = actor.getSnapshot().context;
      if (context.quantity === '0') continue;
      const mark = this.venues.marketPrice(context.venue, context.symbol) ?? decimal(context.averageEntryPrice ?? '0');
      const value = notionalExposure(context as NetPosition, mark.toFixed());
      bySymbol[context.symbol] = value;
      exposure = exposure.plus(value);
    }
    let equity: DecimalString | undefined;
    try {
      const ledger = this.portfolio().getSnapshot().context.ledger;
      // Perpetuals move no base: their worth is the wallet (in the quote's total) plus unrealized PnL at the mark.
      const unrealized = marginUnrealizedPnl(ledger, quote, (venueId, symbol) => this.venues.marketPrice(venueId, symbol));
      equity = decimal(ledgerEquity(ledger, quote, prices)).plus(unrealized).toFixed();
    } catch {
      equity = undefined;
    }
    return { equity, exposure: exposure.toFixed(), bySymbol };
  }
}
