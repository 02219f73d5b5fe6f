// Loss limits listen to fills: equity is recorded for the day and the peak, and a breach halts trading.
import type { Actor } from 'xstate';
import type { Logger } from 'pino';
import type { portfolioMachine } from '../../../machines/portfolio.ts';
import type { Clock } from '../../domain/clock.ts';
import { checkLossLimits, type RiskLimits } from '../../risk/checks.ts';
import type { DomainEventBus } from '../event-bus.ts';
import type { Valuation } from '../valuation.ts';
import type { VenueBook } from '../venues.ts';

export interface LossLimitHost {
  readonly portfolio: () => Actor<typeof portfolioMachine>;
  readonly valuation: Valuation;
  readonly venues: VenueBook;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly limits: RiskLimits;
  /** The breach halts trading the way the kill switch does. */
  halt(reason: string): void;
}

export function installLossLimits(bus: DomainEventBus, host: LossLimitHost): void {
  // Without a loss limit there is nothing to halt on, and no reason to value the account on every fill.
  if (host.limits.dailyLossLimit === undefined && host.limits.maxDrawdownPercent === undefined) return;
  bus.on('OrderFilled', (event) => {
    const quote = host.venues.instrument(event.venue, event.symbol).quote;
    const equity = host.valuation.of(quote).equity;
    if (equity === undefined) return;
    const portfolio = host.portfolio();
    portfolio.send({ type: 'equity.observed', equity, day: new Date(host.clock.now()).toISOString().slice(0, 10) });
    const snapshot = portfolio.getSnapshot();
    const context = snapshot.context;
    if (snapshot.value === 'halted' || context.dayStartEquity === undefined || context.peakEquity === undefined) return;
    const breach = checkLossLimits({ dayStartEquity: context.dayStartEquity, peakEquity: context.peakEquity, equity }, host.limits);
    if (breach === undefined) return;
    host.logger.error({ breach }, `trading halted: ${breach.message}`);
    host.halt(`${breach.reason}: ${breach.message}`);
  });
}
