// Exits that ended with quantity left are sent again at the symbol's next market data (a thin book now may
// not be thin in a moment); after MAX_FAILED_EXITS in a row the position says so and waits for a close.
import type { Logger } from 'pino';
import { MAX_FAILED_EXITS } from '../../../machines/position.ts';
import type { DomainEventBus } from '../event-bus.ts';
import type { PositionBook } from '../positions.ts';

export class ExitRetries {
  /** Positions per `venue` then `symbol` waiting for the next market data to send their exit again. */
  private readonly waiting = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly positions: PositionBook,
    private readonly logger: Logger,
  ) {}

  install(bus: DomainEventBus): void {
    bus.on('PositionChanged', (event) => {
      // After an exit ended with quantity left, and after a late fill (which resets the count of failed exits).
      if ((event.change === 'exitRetryPending' || event.change === 'size') && this.awaitsRetry(event.positionId)) {
        this.await(event.venue, event.symbol, event.positionId);
      } else if (event.change === 'exitFailed') {
        this.logger.error(
          { positionId: event.positionId, symbol: event.symbol, quantity: event.quantity },
          `position ${event.positionId}: ${MAX_FAILED_EXITS} exits in a row ended without a fill; ${event.quantity} ${event.symbol} is still held and nothing is working to close it (close it again to retry)`,
        );
      }
    });
  }

  /** Restart: positions that were waiting to retry their exit wait again. */
  rearm(): void {
    for (const actor of this.positions.current()) {
      const context = actor.getSnapshot().context;
      if (this.awaitsRetry(context.positionId)) this.await(context.venue, context.symbol, context.positionId);
    }
  }

  /** Market data arrived for the symbol: the exits waiting on it are sent again. */
  marketData(venueId: string, symbol: string): void {
    const bySymbol = this.waiting.get(venueId);
    const positions = bySymbol?.get(symbol);
    if (positions === undefined) return;
    bySymbol!.delete(symbol);
    for (const positionId of positions) this.positions.get(positionId)?.send({ type: 'retryExit' });
  }

  /** Only a closing position can be waiting to send its exit again (checked first: can() runs the chart's guards). */
  private awaitsRetry(positionId: string): boolean {
    const snapshot = this.positions.get(positionId)?.getSnapshot();
    return snapshot !== undefined && snapshot.value === 'closing' && snapshot.can({ type: 'retryExit' });
  }

  private await(venueId: string, symbol: string, positionId: string): void {
    let bySymbol = this.waiting.get(venueId);
    if (bySymbol === undefined) this.waiting.set(venueId, (bySymbol = new Map()));
    bySymbol.set(symbol, (bySymbol.get(symbol) ?? new Set<string>()).add(positionId));
  }
}
